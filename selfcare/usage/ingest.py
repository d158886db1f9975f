"""Usage ingestion: validated rows in, events recorded once, bucket and daily counters brought up to date.

One call of `ingest` is one batch and one transaction: rows that fail validation are rejected with a reason and
left out, the good rows are all applied or (on an error) none are. An event whose `source_key` is already
recorded changes nothing (on PostgreSQL the ids are kept in `usage_usageeventkey`, as the events are partitioned by
month: partitions.py), so replaying a file or a request is harmless.

Counters are written set-based, never one ORM save per event. On PostgreSQL a batch whose ids are all new (the
usual one) is COPYed straight into the key table and the events table; one that holds recorded ids (a replay, or a
concurrent import of the same ids) has them told apart by an anti-join and inserts the rest with ON CONFLICT DO
NOTHING (`_record_events`); a file's batch that holds many has them told apart before its rows are even parsed
(`unrecorded`, from csvfile.py). The events recorded are summed in Python per connection, local day, kind and
zone, and per cycle; the daily totals are added to from those sums, the missing ones inserted (COPYed straight in
when the batch is the first of its days: `_add_daily_sums`) and the buckets debited in SQL from the cycle sums
(event by event only where the order of the events decides: `_needs_events`). A connection's cycle with no bucket
yet (its first use) gets the plan's buckets COPYed in with the batch's debit worked out in Python
(`_open_with_debit`). SQLite, the embedded default, does the same work in Python and writes the changed buckets
back with one multi-row statement.

Then, in the same transaction, the touched cycles' out-of-bundle spend is priced from the counters (pricing.py) and
the connections with a spend cap or alerts are checked for thresholds crossed (selfcare.spend.alerts): an alert is
recorded once per threshold and cycle, and queued for sending when the batch commits.

Outside the EU an event's zone is worked out from the visited country it may carry (world_zones.py: world zone 1 or
2 by the operator's lists, else the rest of the world); what goes out of bucket there is also counted per zone
(ZoneOutOfBucket), so that pricing charges each zone at its own rate.

Not checked: whether the event happened while the connection was live (a number is matched to its live
connection), and the per-session rounding (the source sends charged units).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime
import functools
import itertools
import operator
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar, cast

import psycopg
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db import connection as db
from django.utils import timezone

from selfcare.customers.models import Connection, ConnectionStatus, CustomerAccount, TariffPlan
from selfcare.errors import MESSAGES, ErrorCode
from selfcare.spend.alerts import capped_pairs_in_sql, raise_alerts, watched_pairs
from selfcare.usage.buckets import PLAN_PRIORITY, Counter, debit, debit_order, plan_allowances
from selfcare.usage.cycles import cycle_bounds, day_cycle_bounds, ensure_cycles, local_day
from selfcare.usage.models import (
    COUNTED_WORLD_ZONES,
    ZONES_OF_BUCKET,
    BillingCycle,
    Bucket,
    BucketZone,
    Kind,
    Source,
    Zone,
    ZoneOutOfBucket,
)
from selfcare.usage.partitions import month_start
from selfcare.usage.pricing import refresh_spend, refresh_spend_in_sql
from selfcare.usage.world_zones import country_code, zone_of_country

FIELDS = ("event_id", "msisdn", "type", "zone", "started_at", "quantity")
# The optional seventh field: the visited country of a `world` event, which picks its zone (world_zones.py).
COUNTRY = "country"
MAX_QUANTITY = 10**15
# A source's clock may run a little ahead of ours; beyond this an event "in the future" is a bad row.
CLOCK_SKEW = datetime.timedelta(minutes=5)
_MSISDN = re.compile(r"\+[1-9]\d{6,14}")
_KINDS = frozenset(Kind.values)
# The zones a source may send: the zone outside the EU is ours to work out from the country.
_ZONES = frozenset({Zone.DOMESTIC, Zone.EU, Zone.WORLD})
_CHUNK = 2000
# The advisory lock that serialises the writers of bucket counters (any fixed number unique in the project).
COUNTER_LOCK = 8_240_001
T = TypeVar("T")


class EventRow(NamedTuple):
    """One good row. A named tuple rather than a frozen dataclass: as immutable, and built in a quarter of the time
    (a frozen dataclass sets each field through object.__setattr__), which counts at a file's hundreds of thousands
    of rows."""

    line: int
    source_key: str
    msisdn: str
    kind: str
    zone: str  # outside the EU, the world zone of the visited country
    started_at: datetime.datetime
    quantity: int
    # The start time as sent, when it is in a form PostgreSQL reads as the same moment (`row_parser` says which),
    # for the COPY lines; else empty, and `started_at` is formatted for them.
    stamp: str = ""


@dataclass(frozen=True, slots=True)
class Rejected:
    line: int
    source_key: str
    code: ErrorCode

    @property
    def reason(self) -> str:
        return str(MESSAGES[self.code])


@dataclass
class IngestResult:
    received: int = 0
    recorded: int = 0
    duplicates: int = 0
    rejected: list[Rejected] = field(default_factory=list)

    def add(self, other: IngestResult) -> None:
        self.received += other.received
        self.recorded += other.recorded
        self.duplicates += other.duplicates
        self.rejected += other.rejected


@functools.lru_cache(maxsize=4)
def _horizon(now: datetime.datetime, months: int) -> datetime.datetime:
    """Events before this are past retention: their month's partition may be gone, so a replay of one could not be
    told from a new event (partitions.py). Cached: one file's rows share `now`."""
    return month_start(now, -(months - 1))


def parse_row(values: Sequence[str], line: int, *, now: datetime.datetime) -> EventRow | Rejected:
    """One row of the usage format (docs/usage-format.md) checked field by field; the first fault is reported. The
    six fields, and optionally the visited country (empty: none). For many rows, `row_parser` once and call it."""
    return row_parser(now)(values, line)


def row_parser(now: datetime.datetime) -> Callable[[Sequence[str], int], EventRow | Rejected]:
    """`parse_row` for rows checked against the same `now`: the limits and settings it needs are worked out once,
    not per row (a file's rows share its import's `now`)."""
    latest = now + CLOCK_SKEW
    months = settings.USAGE_EVENT_RETENTION_MONTHS
    horizon = _horizon(now, months) if months else None
    msisdn_match = _MSISDN.fullmatch
    kinds, zones, world, utc = _KINDS, _ZONES, Zone.WORLD, datetime.UTC
    from_iso = datetime.datetime.fromisoformat
    new_row = tuple.__new__  # EventRow's own __new__ is a Python function: a call more per row
    # The numbers, kinds and zones seen valid, as sent: as stripped. A file names each many times: each value is
    # checked once, and the rows share one string per value (a batch's events then hold ~10,000 numbers, not
    # 200,000 copies, and each value's hash is worked out once for every dictionary it is a key of).
    numbers: dict[str, str] = {}
    kind_of: dict[str, str] = {}
    zone_of: dict[str, str] = {}

    def parse(values: Sequence[str], line: int) -> EventRow | Rejected:
        width = len(values)
        if width == 6:
            key, msisdn, kind, zone, started, quantity = values
            country = ""
        elif width == 7:
            key, msisdn, kind, zone, started, quantity, country = values
            country = country.strip()
        else:
            return Rejected(line, values[0][:200] if values else "", ErrorCode.USAGE_ROW_SHAPE)
        key = key.strip()
        if not key or len(key) > 200:
            return Rejected(line, key[:200], ErrorCode.USAGE_SOURCE_KEY)
        if not key.isprintable():  # NUL and other control characters: PostgreSQL text cannot even hold NUL
            return Rejected(line, key, ErrorCode.USAGE_SOURCE_KEY_CHARACTERS)
        number = numbers.get(msisdn)
        if number is None:
            number = msisdn.strip()
            if not msisdn_match(number):
                return Rejected(line, key, ErrorCode.USAGE_MSISDN)
            numbers[msisdn] = number
        checked = kind_of.get(kind)
        if checked is None:
            checked = kind.strip()
            if checked not in kinds:
                return Rejected(line, key, ErrorCode.USAGE_KIND)
            kind_of[kind] = checked
        kind = checked
        checked = zone_of.get(zone)
        if checked is None:
            checked = zone.strip()
            if checked not in zones:
                return Rejected(line, key, ErrorCode.USAGE_ZONE)
            zone_of[zone] = checked
        zone = checked
        started = started.strip()
        try:
            started_at = from_iso(started)
        except ValueError:
            return Rejected(line, key, ErrorCode.USAGE_STARTED_AT)
        if started_at.tzinfo is None:
            return Rejected(line, key, ErrorCode.USAGE_STARTED_AT)
        if started_at > latest:
            return Rejected(line, key, ErrorCode.USAGE_IN_FUTURE)
        if horizon is not None and started_at < horizon:
            return Rejected(line, key, ErrorCode.USAGE_TOO_OLD)
        # ASCII digits only: str.isdigit also accepts superscripts, which int() refuses. Stripped only when needed.
        if not (quantity.isdigit() and quantity.isascii()):
            quantity = quantity.strip()
            if not (quantity.isdigit() and quantity.isascii()):
                return Rejected(line, key, ErrorCode.USAGE_QUANTITY)
        amount = int(quantity)
        if amount > MAX_QUANTITY:
            return Rejected(line, key, ErrorCode.USAGE_QUANTITY)
        if country:
            code = country_code(country)
            if code is None:
                return Rejected(line, key, ErrorCode.USAGE_COUNTRY)
        else:
            code = None
        if zone == world:
            zone = zone_of_country(code)
        # The start time's text kept for the COPY lines when it is ISO 8601's extended form to the second or the
        # microsecond with a ±HH:MM offset (`2026-11-20T09:12:33.456789+00:00`, what most sources and isoformat()
        # write), which PostgreSQL reads as the same moment: formatting it again was a sixth of the parser's time.
        # Python reads more forms than PostgreSQL does (any separator, week dates, basic forms) and offsets that
        # PostgreSQL refuses (beyond ±15:59) or reads otherwise (minutes of 60 and more): those are formatted. The
        # text was just read by fromisoformat, so its digits are digits.
        size = len(started)
        if (
            (size == 25 or (size == 32 and started[19] == "."))
            and started[10] == "T"
            and started[-3] == ":"
            and started[-6] in "+-"
            and started[-5:-3] <= "15"
            and started[-2:] < "60"
            and started[4] == started[7] == "-"
            and started[13] == started[16] == ":"
        ):
            stamp = started
        else:
            stamp = ""
        return new_row(EventRow, (line, key, number, kind, zone, started_at.astimezone(utc), amount, stamp))

    return parse


@dataclass(frozen=True, slots=True)
class _Target:
    connection_id: int
    account_id: int
    cycle_day: int
    plan_id: int


def _chunks(items: Sequence[T], size: int = _CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _targets(msisdns: set[str]) -> dict[str, _Target]:
    numbers = sorted(msisdns)
    if db.vendor == "postgresql":
        # One array parameter: a statement with tens of thousands of placeholders costs more to build than to run.
        with db.cursor() as cursor:
            cursor.execute(
                f"SELECT c.msisdn, c.id, c.account_id, a.billing_cycle_day, c.tariff_plan_id "  # noqa: S608
                f"FROM {Connection._meta.db_table} c JOIN {CustomerAccount._meta.db_table} a ON a.id = c.account_id "
                "WHERE c.msisdn = ANY(%s) AND c.status <> %s",
                [numbers, ConnectionStatus.TERMINATED.value],
            )
            return {row[0]: _Target(*row[1:]) for row in cursor.fetchall()}
    found: dict[str, _Target] = {}
    for chunk in _chunks(numbers, 10000):
        rows = (
            Connection.objects.filter(msisdn__in=chunk)
            .exclude(status=ConnectionStatus.TERMINATED)
            .values_list("msisdn", "pk", "account_id", "account__billing_cycle_day", "tariff_plan_id")
        )
        for msisdn, pk, account_id, cycle_day, plan_id in rows:
            found[msisdn] = _Target(pk, account_id, cycle_day, plan_id)
    return found


class CopyLines(dict[str, tuple[str, str]]):
    """A batch's COPY lines, made before its numbers are resolved (`_copy_lines`): per number, the key table's lines
    of its events and its events' lines, both in the batch's order, the events' each without the connection id,
    which is known only once the numbers are resolved: each line ends in the tab before it and the line's end (the
    id is its last column, `_EVENT_COLUMNS`). `ids`: every key table's line of the batch, in id order; `counts`: how
    many events each number has.

    Per number, so that the caller's thread, once the numbers are resolved, puts a number's connection id into all
    its events' lines at once (one `str.replace` per number, not a formatted line per event) and leaves out the
    numbers not resolved as a whole."""

    ids: list[str]
    counts: dict[str, int]


class PreparedBatch(NamedTuple):
    """A batch as `ingest_prepared` takes it, worked out from its rows alone, without the database (`prepare`): so a
    file's next batch is prepared in csvfile's parser thread while the caller's thread waits for PostgreSQL to
    record the batch before it, instead of after, in the caller's thread, while the database waits."""

    received: int
    events: list[EventRow]  # the good rows, each id's first in the batch
    rejected: list[Rejected]
    numbers: set[str]  # the events' numbers, to be resolved to connections
    lines: CopyLines | None  # the events' COPY lines (PostgreSQL only, else None)
    # The events' daily sums per number (`_number_sums`), made with `lines`: a file's part, COPYed whole, then adds
    # them to its batch's counters without a loop over its events in the caller's thread (`Recording.add`).
    sums: NumberSums | None = None
    # The last part of a file's batch: the batch's daily totals per number (`number_totals`), which csvfile's parser
    # thread adds up from its parts' `sums` once it has handed this part over, while the caller's thread COPYs it.
    totals: concurrent.futures.Future[DailyTotals] | None = None


def prepare(rows: Iterable[EventRow | Rejected], *, copy_lines: bool = False) -> PreparedBatch:
    """The batch of `rows` as `ingest_prepared` takes it (pure Python: any thread may call it); with `copy_lines`,
    the COPY lines of its events (see CopyLines) and their daily sums per number (`_number_sums`) are made too, for
    PostgreSQL."""
    batch: list[EventRow | Rejected] = list(rows)  # a list of its own: the caller's is not changed
    # A file's batch is 200,000 rows, nearly all of them good, with ids of their own: told apart a list at a time
    # (map, set, compress: no Python code per row), row by row only where an id repeats.
    received = len(batch)
    rejected: list[Rejected] = []
    bad = list(map(isinstance, batch, itertools.repeat(Rejected)))
    if any(bad):
        rejected = cast(list[Rejected], list(itertools.compress(batch, bad)))
        batch = list(itertools.compress(batch, map(operator.not_, bad)))
    events = cast(list[EventRow], batch)
    if len(set(map(_source_key, events))) < len(events):  # ids repeated within the batch: each id's first is kept
        seen: set[str] = set()
        kept: list[EventRow] = []
        keep, mark = kept.append, seen.add
        for event in events:
            if event.source_key not in seen:
                mark(event.source_key)
                keep(event)
        events = kept
    numbers = set(map(_msisdn, events))
    if not copy_lines:
        return PreparedBatch(received, events, rejected, numbers, None)
    return PreparedBatch(received, events, rejected, numbers, _copy_lines(events), _number_sums(events))


# The daily sums per (number, local day by the billing clock, kind, zone).
NumberSums = dict[tuple[str, datetime.date, str, str], int]


class DailyTotals(NamedTuple):
    """A batch's daily sums per number added up from its parts' (`number_totals`), with their COPY lines."""

    parts: list[NumberSums]  # the parts' sums added up, in order: a batch takes these only if they are its own
    sums: NumberSums
    # Per number, the COPY lines of its daily sums (`_add_daily_sums`), each without the connection id, the last
    # column, which is known only once the numbers are resolved: each line ends in the tab before it (as CopyLines).
    texts: dict[str, str]
    first_days: dict[str, datetime.date]  # per number, the day of its first line, for `_add_daily_sums`' probe


def add_into(sums: NumberSums, part: NumberSums) -> None:
    """Add a part's daily sums to `sums`."""
    get = sums.get
    for key, quantity in part.items():
        sums[key] = get(key, 0) + quantity


def _added_up(parts: list[NumberSums]) -> NumberSums:
    """The daily sums of `parts` added up, into a dictionary of its own: the parts stay as they are."""
    sums = dict(parts[0]) if parts else {}
    for part in parts[1:]:
        add_into(sums, part)
    return sums


def number_totals(parts: list[NumberSums], sums: NumberSums | None = None) -> DailyTotals:
    """The daily sums of a batch's `parts` (each a part's `_number_sums`) added up, and their COPY lines per number
    (pure Python, without the database: csvfile's parser thread makes a file's batch's while the caller's thread
    COPYs its last parts, so that the caller is left with a `str.replace` per number when the batch ends; measured
    0.55 s of the caller's Python for 408,000 sums, while the database waited). `sums`: the parts' sums added up
    already (`add_into`; the parser thread adds each part's as it hands the part over)."""
    if sums is None:
        sums = _added_up(parts)
    dates: dict[datetime.date, str] = {}
    tails: dict[str, list[str]] = {}
    first_days: dict[str, datetime.date] = {}
    for (number, day, kind, zone), quantity in sums.items():
        text = dates.get(day)
        if text is None:
            text = dates[day] = day.isoformat()
        number_tails = tails.get(number)
        if number_tails is None:
            number_tails = tails[number] = []
            first_days[number] = day
        number_tails.append(f"{text}\t{kind}\t{zone}\t{quantity}\t\n")
    texts = {number: "".join(number_tails) for number, number_tails in tails.items()}
    return DailyTotals(parts, sums, texts, first_days)


def _number_sums(events: Sequence[EventRow]) -> NumberSums:
    """The events' use per (number, local day, kind, zone): `_sums`' daily sums, made before the numbers are
    resolved (pure Python, in csvfile's parser thread for a file's part), so that the caller's thread, once they are,
    only adds up each number's sums (`_Tally.add_numbers`) instead of going over every event."""
    days: dict[int, datetime.date] = {}
    daily: NumberSums = defaultdict(int)
    for event in events:
        # Every time zone's offset is a whole number of quarter hours, so the UTC quarter hour decides the day.
        quarter = int(event.started_at.timestamp()) // 900
        day = days.get(quarter)
        if day is None:
            day = days[quarter] = local_day(event.started_at)
        daily[(event.msisdn, day, event.kind, event.zone)] += event.quantity
    return daily


def _copy_lines(events: Sequence[EventRow]) -> CopyLines:
    """The COPY lines of `events` (see CopyLines)."""
    keys = _copy_keys(list(map(_source_key, events)))
    # Each start time as text once for both tables: formatting them is most of the Python cost of the COPYs.
    stamps = list(map(_stamp, events))
    if not all(stamps):  # some sent in another form (`row_parser`), or events not parsed from text
        stamps = [stamp or event.started_at.isoformat() for stamp, event in zip(stamps, events, strict=True)]
    # str.format mapped over the columns: the lines are made in C, then grouped by number in one loop.
    key_lines = list(map("{}\t{}\n".format, keys, stamps))
    event_lines = map(
        "{}\t{}\t{}\t{}\t{}\t\n".format,
        keys,
        map(_kind, events),
        map(_zone, events),
        stamps,
        map(_quantity, events),
    )
    texts: dict[str, list[list[str]]] = {}
    for number, key_line, event_line in zip(map(_msisdn, events), key_lines, event_lines, strict=True):
        lines = texts.get(number)
        if lines is None:
            lines = texts[number] = [[], []]
        lines[0].append(key_line)
        lines[1].append(event_line)
    copy = CopyLines({number: ("".join(ids), "".join(lines)) for number, (ids, lines) in texts.items()})
    copy.counts = {number: len(ids) for number, (ids, _lines) in texts.items()}
    # Ordered by id, as the key table's index orders them (Python orders strings by code point, the index by the
    # "C" collation: the same order, migration 0015): its COPY then adds each id next to the one before, a few leaf
    # pages after another, not at random places all over the index (~0.2 s of PostgreSQL's CPU per 200,000 ids).
    # A line is its id and a tab, and no character of an id sorts before the tab (ids are printable), so the lines
    # sort as their ids do. Done here, in csvfile's parser thread for a file's batch, not in the caller's.
    key_lines.sort()
    copy.ids = key_lines
    return copy


_source_key = operator.attrgetter("source_key")
_msisdn = operator.attrgetter("msisdn")
_kind = operator.attrgetter("kind")
_zone = operator.attrgetter("zone")
_stamp = operator.attrgetter("stamp")
_quantity = operator.attrgetter("quantity")


def ingest(
    rows: Iterable[EventRow | Rejected], *, now: datetime.datetime | None = None, looked_up: bool = False
) -> IngestResult:
    """Record one batch (see the module docstring). Rows are EventRow or the Rejected that parse_row made.
    `looked_up`: the caller looked some of the batch's ids up already (`any_recorded`) and found none recorded, so
    on PostgreSQL the batch is taken for new without a look-up of its own (an id recorded after all is still found
    by the COPY, as when the look-up misses it)."""
    now = now or timezone.now()
    return ingest_prepared(prepare(rows), now=now, looked_up=looked_up)


def ingest_prepared(batch: PreparedBatch, *, now: datetime.datetime, looked_up: bool = False) -> IngestResult:
    """`ingest` of a batch `prepare`d already."""
    with recording(now) as open_batch:
        open_batch.add(batch, looked_up=looked_up)
    return open_batch.result


@contextlib.contextmanager
def recording(now: datetime.datetime) -> Iterator[Recording]:
    """One batch, one transaction, fed in parts (`Recording.add`): each part's events are recorded as it comes, and
    the counters (daily totals, buckets, spend, alerts) are brought up to date once, for all of them, when the block
    ends. So a file's batch of a million rows is read and parsed a part at a time, its parts' events written while
    the next part is parsed, and its counters written once, not once per part: each bucket and daily total is then
    read and written once per batch, and each counter statement joins its whole table once (half of PostgreSQL's
    work for a file of 1,000,000 events at 200,000 rows a transaction; docs/performance.md). An error anywhere in
    the block rolls the whole batch back."""
    open_batch = Recording(now)
    with transaction.atomic():
        yield open_batch
        open_batch.apply()
    open_batch.result.rejected.sort(key=lambda r: r.line)


class Recording:
    """A batch being recorded (`recording`): its result so far, and what its counters need when it ends."""

    def __init__(self, now: datetime.datetime) -> None:
        self.now = now
        self.result = IngestResult()
        self._fresh: list[tuple[EventRow, _Target]] = []
        # The events of the parts COPYed by number (`_copied_by_number`), paired with their targets only if wanted.
        self._fresh_parts: list[list[EventRow]] = []
        self._tally = _Tally()
        # The numbers resolved so far, None for one that is no live connection's: each number once per batch, as
        # when a batch was one part (a file's parts mostly repeat the numbers of the first).
        self._resolved: dict[str, _Target | None] = {}

    def add(self, batch: PreparedBatch, *, looked_up: bool = False, recorded_before: int = 0) -> IngestResult:
        """Record a part of the batch (its events not yet recorded); what this part counted, also added to
        `result`. `looked_up`: as for `ingest`; `recorded_before`: rows of the part left out of `batch` as already
        recorded (csvfile's replay), counted as received and as duplicates."""
        part = IngestResult(received=batch.received + recorded_before, rejected=list(batch.rejected))
        part.duplicates = batch.received - len(batch.events) - len(batch.rejected) + recorded_before
        resolved = self._resolved
        if batch.events and (unresolved := batch.numbers - resolved.keys()):
            resolved.update(dict.fromkeys(unresolved))
            resolved.update(_targets(unresolved))
        targets = {number: target for number in batch.numbers if (target := resolved[number]) is not None}
        if len(targets) < len(batch.numbers):
            part.rejected += [
                Rejected(event.line, event.source_key, ErrorCode.USAGE_UNKNOWN_NUMBER)
                for event in batch.events
                if event.msisdn not in targets
            ]
        postgresql = db.vendor == "postgresql"
        # A file's part on PostgreSQL: its COPY lines and sums made in the parser thread.
        made = (batch.lines, batch.sums) if postgresql and batch.lines is not None and batch.sums is not None else None
        if made and not targets:
            # None of the part's numbers is a live connection's: its sums count nothing (the numbers are left out
            # when the batch's sums are made the connections'), but they stay among the batch's parts, so that the
            # daily totals the parser thread adds up are still the batch's own (`_Tally._number_totals`).
            self._tally.add_numbers(made[1], batch.totals)
        elif made:
            lines, sums = made
            count = sum(map(lines.counts.__getitem__, targets))
            if self._copied_by_number(
                batch.events, lines, sums, targets, count, looked_up=looked_up, made=batch.totals
            ):
                part.recorded = count
                self.result.add(part)
                return part
        if targets:
            known = _paired(batch.events, targets)
            if made:  # an id was recorded already: the part takes the careful way, event by event
                fresh = _record_careful(known, self._tally)
            elif postgresql:
                fresh = _record_events(known, self._tally, looked_up=looked_up)
            else:
                new_keys = _insert_events(known, self.now)
                fresh = [(e, t) for e, t in known if e.source_key in new_keys]
            part.recorded = len(fresh)
            part.duplicates += len(known) - len(fresh)
            self._fresh += fresh
        self.result.add(part)
        return part

    def _copied_by_number(
        self,
        events: list[EventRow],
        lines: CopyLines,
        sums: NumberSums,
        targets: dict[str, _Target],
        count: int,
        *,
        looked_up: bool,
        made: concurrent.futures.Future[DailyTotals] | None,
    ) -> bool:
        """PostgreSQL, a part with its COPY `lines` and `sums` made (a file's, `prepare` in csvfile's parser thread):
        its `events` of the numbers in `targets` COPYed straight in, a number at a time in connection order, and their
        sums added a number at a time, with no loop over the events in this thread; False (nothing written) when a
        probe or the COPY finds an id recorded already. `made`: the batch's daily totals being added up, when this
        is its last part (`PreparedBatch.totals`)."""
        if not looked_up and any_recorded([event.source_key for event in _probed(events)]):
            return False
        # By connection: the events' index on (connection, start), the daily totals' and the buckets' are then written
        # a connection at a time, not at random (`_record_events`).
        connection_of = {
            number: target.connection_id
            for number, target in sorted(targets.items(), key=lambda item: item[1].connection_id)
        }
        if not _copy_numbers(connection_of, lines, count):
            return False
        self._tally.add_numbers(sums, made)
        self._fresh_parts.append(events)
        return True

    def fresh(self) -> list[tuple[EventRow, _Target]]:
        """Every event the batch recorded, with its number's connection (for the few counters debited event by
        event: made only when they are wanted)."""
        resolved = self._resolved
        paired = [
            (event, target) for events in self._fresh_parts for event in events if (target := resolved[event.msisdn])
        ]
        return paired + self._fresh

    def apply(self) -> None:
        """The counters of every event the batch recorded (in its transaction, before it commits)."""
        if not self._fresh and not self._fresh_parts:
            return
        if db.vendor == "postgresql":
            _apply_set_based(self.fresh, self.now, self._tally, self._resolved)
        else:
            _apply(self._fresh, self.now)


def _paired(events: list[EventRow], targets: dict[str, _Target]) -> list[tuple[EventRow, _Target]]:
    """The events whose number is in `targets`, each with its number's target."""
    get = targets.get
    return [(event, target) for event in events if (target := get(event.msisdn)) is not None]


def _connection_of(pair: tuple[EventRow, _Target]) -> int:
    return pair[1].connection_id


def _temp_table(cursor: Any, table: str, columns: str) -> None:
    """PostgreSQL: an empty session-local table for this transaction's batch (made once per connection, emptied at
    each commit and here). `columns` is "name type, …"."""
    cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table} ({columns}) ON COMMIT DELETE ROWS")
    cursor.execute(f"TRUNCATE {table}")


def _stage(cursor: Any, table: str, columns: str, rows: Iterable[Sequence[Any]]) -> None:
    """PostgreSQL: load rows into a session-local staging table with COPY (the fastest way in; a statement with
    thousands of parameters costs more to build than to run). `columns` is "name type, …"."""
    _temp_table(cursor, table, columns)
    names = ", ".join(column.split()[0] for column in columns.split(","))
    with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


# What COPY's text format escapes, and how: only the ids are free text.
_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_keys(keys: Sequence[str]) -> Sequence[str]:
    """The ids as COPY text fields: as they are, unless one of them holds a character the text format escapes."""
    if _COPY_SPECIAL.search("".join(keys)):
        return [key.translate(_COPY_ESCAPES) for key in keys]
    return keys


def _copy_text(cursor: Any, table: str, names: str, lines: Iterable[str]) -> None:
    """PostgreSQL: COPY rows already formatted as COPY text lines into `table` in one write (building the text is a
    fraction of the cost of psycopg's per-field row writer); free text must have gone through `_copy_keys`."""
    with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        copy.write("".join(lines))


def _record_events(
    known: list[tuple[EventRow, _Target]], tally: _Tally, *, looked_up: bool = False
) -> list[tuple[EventRow, _Target]]:
    """PostgreSQL: record the events of `known` whose id is not recorded yet; those recorded by this call, whose
    sums (`_sums`) are added to `tally` (worked out meanwhile if they could be, see `_beside`).

    The usual batch is all new: a probe of a few of its ids finds none recorded, and the ids and the events are
    COPYed straight into the key table and the events table (COPY routes each row to its month's partition), in a
    savepoint. If an id was recorded after all (the probe missed it, or a concurrent batch claimed it meanwhile),
    the key table's unique index stops the COPY, the savepoint is rolled back, and the batch takes the careful way:
    one COPY of its ids and an anti-join tell the new ones apart (a replayed batch, every id known, stops there),
    and those are inserted with ON CONFLICT DO NOTHING, which skips an id another batch records meanwhile. (A file's
    part, whose COPY lines and sums the parser thread made, takes `Recording._copied_by_number` instead.)"""
    if looked_up or not any_recorded([event.source_key for event, _target in _probed(known)]):
        # Grouped by connection (a stable sort: each connection's events stay in the file's order): the events'
        # index on (connection, start), the daily totals' and the buckets' are then written a connection at a
        # time, a few index pages after another, not at random across all of them (a third of the events' COPY).
        # Not for a replay, which writes none of them.
        known.sort(key=_connection_of)
        with _beside(functools.partial(_sums, known), len(known)) as sums:
            copied = _copy_events(known, _copy_lines([e for e, _t in known]))
        if copied:
            tally.add(sums())
            return known
    return _record_careful(known, tally)


def _record_careful(known: list[tuple[EventRow, _Target]], tally: _Tally) -> list[tuple[EventRow, _Target]]:
    """PostgreSQL: `_record_events`' careful way, for events some of whose ids may be recorded: those not recorded
    told apart by an anti-join and inserted with ON CONFLICT DO NOTHING; those recorded by this call."""
    fresh = _not_yet_recorded(known)
    fresh = _insert_events_on_conflict(fresh) if fresh else []
    if fresh:
        tally.add(_sums(fresh))
    return fresh


# From how many events a batch's sums are worked out in a thread of their own while its events are COPYed: a
# file's batch (hundreds of thousands) gains the half second the sums take; a feed request's few events would only
# pay for the thread.
ALONGSIDE_FROM = 20_000


@contextlib.contextmanager
def _beside(function: Callable[[], T], size: int) -> Iterator[Callable[[], T]]:
    """`function()` worked out in another thread while the block runs (pure Python: it must not touch the database,
    whose connection is the caller's thread's), when `size` (the items it goes over: a batch's events for their
    sums, its daily sums for its groups) is at least ALONGSIDE_FROM: the block waits for PostgreSQL without the GIL,
    so the two overlap on two cores. Else it is worked out when asked, after the block, in the caller's thread. What
    is yielded gives its result or raises its error; when the block fails, the thread is waited for and its result
    dropped."""
    if size < ALONGSIDE_FROM:
        yield function
        return
    with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="usage-sums") as pool:
        yield pool.submit(function).result


# How many of a batch's ids are looked up before it is taken for new: a replay is caught by its first one, a batch
# that is new but for a few ids costs a failed COPY at worst.
PROBES = 16


def _probed(items: list[T]) -> list[T]:
    """About PROBES of `items`, spread over them: those a batch looks up before it is taken for new."""
    return items[:: max(1, len(items) // PROBES)]


def any_recorded(keys: Sequence[str]) -> bool:
    """PostgreSQL: whether any of `keys` (valid ids) is recorded."""
    with db.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM usage_usageeventkey WHERE source_key = ANY(%s))", [list(keys)])
        (found,) = cursor.fetchone()
    return bool(found)


# The events' columns in the order of their COPY lines: the connection id last, added to a line made before the
# event's number was resolved (`_copy_lines`). Not received_at: the database's default sets it (the COPY's start,
# migration 0018), instead of reading the same time from the text of every line (a tenth of the events' COPY).
_EVENT_COLUMNS = "source_key, kind, zone, started_at, quantity, connection_id"


def _copy_events(known: list[tuple[EventRow, _Target]], lines: CopyLines) -> bool:
    """COPY the events of `known` from their `lines` (`_copy_lines`: a CopyLines of `known`'s events, or of a batch's
    events of which `known` holds those whose number was resolved: of each number in `lines`, all of its events or
    none), in the order of `known` (`_copy_numbers`)."""
    return _copy_numbers(_connections(known, lines.counts), lines, len(known))


def _copy_numbers(connection_of: dict[str, int], lines: CopyLines, count: int) -> bool:
    """COPY the ids into the key table and the events into their partitions, in a savepoint, from their `lines`, for
    each number in `connection_of` (every number of `lines` or some of them: the rest are left out) under its
    connection id; `count`: how many events those numbers have. False (and nothing written) when an id is already
    recorded. The ids go in id order, the events a number at a time in the order of `connection_of`, each number's
    in the batch's order."""
    events = [lines[number][1].replace("\n", f"{connection_id}\n") for number, connection_id in connection_of.items()]
    if len(connection_of) == len(lines):  # every number: the lines are those of `known`
        ids = lines.ids
    else:  # some of the batch's events were left out (a number not resolved): not their ids
        gone = lines.keys() - connection_of.keys()
        left_out = {line for number in gone for line in lines[number][0].splitlines(keepends=True)}
        ids = list(itertools.filterfalse(left_out.__contains__, lines.ids))
    if len(ids) != count:
        raise ValueError(f"COPY lines of {len(ids)} events for {count}: made from other events than these")
    try:
        with transaction.atomic(), db.cursor() as cursor:
            _copy_text(cursor, "usage_usageeventkey", "source_key, started_at", ids)
            _copy_text(cursor, "usage_usageevent", _EVENT_COLUMNS, events)
    except (IntegrityError, psycopg.errors.UniqueViolation):
        return False
    return True


def _connections(known: list[tuple[EventRow, _Target]], counts: dict[str, int]) -> dict[str, int]:
    """Each number's connection id, in the order of `known`, given how many events each number has (`counts`).
    `known` holds each number's events one after another (`_record_events` orders them by connection): a number's
    first event is looked at and the rest skipped, not read (reading 200,000 pairs scattered in memory costs
    ~60 ms). If `known` turns out otherwise (its numbers' events do not add up to it), every pair is read."""
    connection_of: dict[str, int] = {}
    at, end = 0, len(known)
    while at < end:
        event, target = known[at]
        connection_of[event.msisdn] = target.connection_id
        at += counts[event.msisdn]
    if at == end and sum(map(counts.__getitem__, connection_of)) == end:
        return connection_of
    return dict(zip(map(_msisdn, map(_event_of, known)), map(_connection_id, map(_target_of, known)), strict=True))


_event_of, _target_of = operator.itemgetter(0), operator.itemgetter(1)
_connection_id = operator.attrgetter("connection_id")


def _not_yet_recorded(known: list[tuple[EventRow, _Target]]) -> list[tuple[EventRow, _Target]]:
    """PostgreSQL: the events of `known` whose id is not recorded yet (`unrecorded`, in the batch's transaction)."""
    new = unrecorded([event.source_key for event, _target in known])
    if len(new) == len(known) or not new:  # the batch's ids are distinct (`ingest` dropped repeats)
        return known if new else []
    return [(event, target) for event, target in known if event.source_key in new]


def unrecorded(keys: Sequence[str]) -> set[str]:
    """PostgreSQL: those of `keys` (ids as sent, stripped, not checked otherwise) not recorded yet, found with one
    COPY of them and one anti-join on the key table, in the caller's transaction or one of their own (the staging
    table empties at each commit). For a batch that holds recorded ids (`_record_events`), and for a file's batch
    before its rows are parsed (csvfile.py): an id that is not valid cannot have been recorded, so it is among
    those returned, and its row is parsed and rejected as before. The stage's column is text, not varchar(200), so
    an id too long is simply not found; NUL, which PostgreSQL text cannot hold, is never staged."""
    if not keys:
        return set()
    if "\x00" in "".join(keys):
        held = [key for key in keys if "\x00" not in key]
        return unrecorded(held) | {key for key in keys if "\x00" in key}
    new_ids = (
        "FROM usage_raw_key_stage s "
        "WHERE NOT EXISTS (SELECT 1 FROM usage_usageeventkey k WHERE k.source_key = s.source_key)"
    )
    with transaction.atomic(savepoint=False), db.cursor() as cursor:
        # Each id looked up in the key table's index (a nested loop), not the whole key table hashed, which the
        # planner would choose, having no statistics for the staged ids: the cost then follows the part looked up
        # (100,000 ids), not the table (every id kept, months of them in production). For a replayed file of
        # 1,000,000 ids against 1,000,000 recorded: 1.6 s of PostgreSQL's CPU against 2.4 s hashed. Only for these
        # statements: the caller's transaction goes on to statements that want their hash joins (the counters').
        cursor.execute(
            "SELECT current_setting('enable_hashjoin'), current_setting('enable_mergejoin'), "
            "set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)"
        )
        hashjoin, mergejoin, _off, _also_off = cursor.fetchone()
        _temp_table(cursor, "usage_raw_key_stage", "source_key text")
        # One string for the whole COPY: a part's 100,000 ids, a line each, cost more as 100,000 formatted lines.
        _copy_text(cursor, "usage_raw_key_stage", "source_key", ["\n".join(_copy_keys(keys)), "\n"])
        cursor.execute(f"SELECT count(*) {new_ids}")
        (count,) = cursor.fetchone()
        if count == len(keys) or not count:
            found = set(keys) if count else set()
        else:
            cursor.execute(f"SELECT source_key {new_ids}")
            found = {key for (key,) in cursor.fetchall()}
        cursor.execute(
            "SELECT set_config('enable_hashjoin', %s, true), set_config('enable_mergejoin', %s, true)",
            [hashjoin, mergejoin],
        )
        return found


def live_numbers(numbers: Iterable[str]) -> set[str]:
    """Those of `numbers` (as sent: `parse_row` strips them) that are a live connection's: the rows whose id is
    recorded and whose number is not among them are parsed, so that they are rejected as before."""
    valid: dict[str, str] = {}
    for number in numbers:
        stripped = number.strip()
        if _MSISDN.fullmatch(stripped):
            valid[number] = stripped
    targets = _targets(set(valid.values())) if valid else {}
    return {number for number, stripped in valid.items() if stripped in targets}


def _insert_events_on_conflict(fresh: list[tuple[EventRow, _Target]]) -> list[tuple[EventRow, _Target]]:
    """PostgreSQL: claim the ids of `fresh` in the key table and insert the events of those claimed, skipping an id
    another batch recorded meanwhile; the events inserted."""
    keys = _copy_keys([event.source_key for event, _target in fresh])
    with db.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '64MB'")  # the join below sorts in memory, not on disk
        columns = (
            "source_key varchar(200), connection_id bigint, kind varchar(5), zone varchar(8), started_at timestamptz, "
            "quantity bigint"
        )
        _temp_table(cursor, "usage_stage", columns)
        _copy_text(
            cursor,
            "usage_stage",
            "source_key, connection_id, kind, zone, started_at, quantity",
            (
                f"{key}\t{t.connection_id}\t{e.kind}\t{e.zone}\t{e.started_at.isoformat()}\t{e.quantity}\n"
                for key, (e, t) in zip(keys, fresh, strict=True)
            ),
        )
        cursor.execute(
            # The events are partitioned by month, and a partitioned table cannot keep source_key unique across
            # months (partitions.py): the ids are claimed in the key table, and only the claimed events inserted.
            "WITH fresh_keys AS ("
            " INSERT INTO usage_usageeventkey (source_key, started_at) SELECT source_key, started_at FROM usage_stage"
            " ON CONFLICT (source_key) DO NOTHING RETURNING source_key) "
            "INSERT INTO usage_usageevent (source_key, connection_id, kind, zone, started_at, quantity)"
            " SELECT s.source_key, s.connection_id, s.kind, s.zone, s.started_at, s.quantity"
            " FROM usage_stage s JOIN fresh_keys USING (source_key) RETURNING source_key",
        )
        inserted = {key for (key,) in cursor.fetchall()}
    if len(inserted) == len(fresh):
        return fresh
    return [(event, target) for event, target in fresh if event.source_key in inserted]


# The daily sums per (connection, local day, kind, zone), and the debit's per (connection, account, plan, cycle start,
# cycle end, kind, zone).
_Sums = tuple[
    dict[tuple[int, datetime.date, str, str], int],
    dict[tuple[int, int, int, datetime.datetime, datetime.datetime, str, str], int],
]


def _sums(fresh: list[tuple[EventRow, _Target]]) -> _Sums:
    """The batch's use summed in Python, which holds every event already: per (connection, local day by the billing
    clock, kind, zone) for the daily totals, and per (connection, account, plan, cycle start, cycle end, kind,
    zone) for the debit. A cycle is made of whole local days, so the second is summed from the first. (Summed per
    number, then made the connections': a live number is one connection's.)"""
    return _connection_sums(_number_sums([event for event, _target in fresh]), {e.msisdn: t for e, t in fresh})


def _connection_sums(numbers: NumberSums, resolved: Mapping[str, _Target | None]) -> _Sums:
    """`_sums` from daily sums per number (`_number_sums`): those of the numbers resolved to a target."""
    daily: dict[tuple[int, datetime.date, str, str], int] = defaultdict(int)
    target_of: dict[int, _Target] = {}
    for (number, day, kind, zone), quantity in numbers.items():
        target = resolved.get(number)
        if target is not None:
            daily[(target.connection_id, day, kind, zone)] += quantity
            target_of[target.connection_id] = target
    return daily, _cycle_groups(daily, target_of)


def _cycle_groups(
    daily: dict[tuple[int, datetime.date, str, str], int], target_of: dict[int, _Target]
) -> dict[tuple[int, int, int, datetime.datetime, datetime.datetime, str, str], int]:
    """The daily sums summed per (connection, account, plan, cycle start, cycle end, kind, zone), for the debit."""
    bounds: dict[tuple[int, datetime.date], tuple[datetime.datetime, datetime.datetime]] = {}
    groups: dict[tuple[int, int, int, datetime.datetime, datetime.datetime, str, str], int] = defaultdict(int)
    for (connection_id, day, kind, zone), quantity in daily.items():
        target = target_of[connection_id]
        cycle = bounds.get((target.cycle_day, day))
        if cycle is None:
            cycle = bounds[(target.cycle_day, day)] = day_cycle_bounds(target.cycle_day, day)
        groups[(connection_id, target.account_id, target.plan_id, *cycle, kind, zone)] += quantity
    return groups


def _daily_lines(daily: dict[tuple[int, datetime.date, str, str], int]) -> list[str]:
    """The daily sums as COPY lines (`_add_daily_sums`), each day's text made once."""
    dates = {day: day.isoformat() for day in {day for _c, day, _k, _z in daily}}
    return [f"{dates[day]}\t{kind}\t{zone}\t{q}\t{c}\n" for (c, day, kind, zone), q in daily.items()]


class _Tally:
    """The sums (`_sums`) of a batch's parts so far, added up (each part's worked out beside its COPY, or, for a part
    COPYed by number, its daily sums per number, made `_Sums` once, when the batch ends), and, when the batch ends,
    the daily sums' COPY lines (`_add_daily_sums`), made once from the added-up sums."""

    def __init__(self) -> None:
        self._parts = 0
        self._daily: dict[tuple[int, datetime.date, str, str], int] = defaultdict(int)
        self._groups: dict[tuple[int, int, int, datetime.datetime, datetime.datetime, str, str], int] = defaultdict(int)
        # The daily sums per number of the parts COPYed by number (`add_numbers`), added up once, when the batch
        # ends (`_number_totals`), or by csvfile's parser thread meanwhile (`_made`).
        self._number_parts: list[NumberSums] = []
        self._made: concurrent.futures.Future[DailyTotals] | None = None
        self._totals: DailyTotals | None = None

    def add(self, sums: _Sums) -> None:
        daily, groups = sums
        if not self._parts:
            self._daily, self._groups = daily, groups
        else:
            added, grouped = self._daily, self._groups
            for key, quantity in daily.items():
                added[key] += quantity
            for group, quantity in groups.items():
                grouped[group] += quantity
        self._parts += 1

    def add_numbers(self, sums: NumberSums, made: concurrent.futures.Future[DailyTotals] | None = None) -> None:
        """Add a part's daily sums per number (`_number_sums`), added up and made the connections' when the batch
        ends (`daily_lines`, `groups`); `made`: those of the batch's parts being added up elsewhere (the batch's
        last part, `PreparedBatch.totals`)."""
        self._number_parts.append(sums)
        if made is not None:
            self._made = made

    def _number_totals(self) -> DailyTotals:
        """The number parts' sums added up: those csvfile's parser thread made, if they are of these parts (of
        every part: none took the careful way or came unparsed), else added up here."""
        if self._totals is None:
            made = self._made.result() if self._made is not None else None
            parts = self._number_parts
            if made is not None and len(made.parts) == len(parts) and all(map(operator.is_, made.parts, parts)):
                self._totals = made
            else:
                self._totals = number_totals(parts)
        return self._totals

    def daily_lines(self, resolved: dict[str, _Target | None]) -> tuple[list[tuple[int, datetime.date]], list[str]]:
        """The batch's daily sums as COPY lines (`_add_daily_sums`), a connection's one after another, and a few of
        their (connection, day) to probe. Made straight from the daily totals per number when every part added
        those (a file's: a text of several lines per number), else from the sums added up (`groups` is then ready
        too)."""
        if self._number_parts and not self._parts:
            return _number_daily_lines(self._number_totals(), resolved)
        self._add_up_numbers(resolved)
        keys = list(self._daily)
        return [(c, day) for c, day, _k, _z in _probed(keys)], _daily_lines(self._daily)

    def daily_count(self) -> int:
        """How many daily sums the batch has, once `daily_lines` made their lines (a line per number, if made from
        the daily totals per number)."""
        return len(self._totals.sums) if self._totals is not None else len(self._daily)

    def groups(
        self, resolved: dict[str, _Target | None]
    ) -> dict[tuple[int, int, int, datetime.datetime, datetime.datetime, str, str], int]:
        """The batch's sums per cycle (`_sums`), for the debit (pure Python: worked out beside the daily totals'
        statement, `_apply_set_based`)."""
        self._add_up_numbers(resolved)
        return self._groups

    def _add_up_numbers(self, resolved: dict[str, _Target | None]) -> None:
        if self._number_parts:
            # With the daily totals per number made, their sums; else (a part went the careful way: the parser
            # thread's totals would not be the batch's) the parts' sums added up, without their lines.
            sums = self._totals.sums if self._totals is not None else _added_up(self._number_parts)
            self.add(_connection_sums(sums, resolved))
            self._number_parts, self._made, self._totals = [], None, None


def _number_daily_lines(
    totals: DailyTotals, resolved: dict[str, _Target | None]
) -> tuple[list[tuple[int, datetime.date]], list[str]]:
    """`_Tally.daily_lines` from daily totals per number: those of the numbers resolved, grouped by connection, in
    connection order (so the daily totals' index is written a connection at a time, `_record_events`)."""
    order = sorted((target.connection_id, number) for number, target in resolved.items() if target is not None)
    texts, first_days = totals.texts, totals.first_days
    lines: list[str] = []
    probe: list[tuple[int, datetime.date]] = []
    for connection_id, number in order:
        if (text := texts.get(number)) is not None:
            lines.append(text.replace("\n", f"{connection_id}\n"))
            probe.append((connection_id, first_days[number]))
    return _probed(probe), lines


def _apply_set_based(
    fresh: Callable[[], list[tuple[EventRow, _Target]]],
    now: datetime.datetime,
    tally: _Tally,
    resolved: dict[str, _Target | None],
) -> None:
    """PostgreSQL: add the new events to the daily totals, create the missing cycles and plan buckets, and debit the
    buckets, in SQL over the batch's sums per (connection, cycle, kind, zone) made in Python (`_sums`); only the
    (connection, cycle, kind) whose result depends on the order of the events are debited event by event (see
    `_needs_events`). A (connection, cycle) with no bucket at all yet (its first use: the plan's buckets are all it
    will have) is debited in Python and its buckets COPYed in with their counters (`_open_with_debit`). `tally`:
    the sums of `fresh` (`_Tally`), whose numbers are `resolved`; `fresh` gives the events (`Recording.fresh`), asked
    only if some are debited event by event."""
    _serialise_counter_writers()
    with db.cursor() as cursor:
        # The debit's sorts and groupings stay in memory. No JIT: the staged tables have no statistics, so the
        # planner's guesses set off JIT compilation (~50 ms a batch) for statements that then run a fraction of a
        # second, never long enough to repay it.
        cursor.execute("SELECT set_config('work_mem', '64MB', true), set_config('jit', 'off', true)")
    probe, daily_lines = tally.daily_lines(resolved)
    # The sums per cycle worked out in a thread while PostgreSQL adds to the daily totals (~0.5 s of Python for a
    # file's batch of 1,000,000 events, 1-3 s of the database's).
    with _beside(functools.partial(tally.groups, resolved), tally.daily_count()) as summed:
        _add_daily_sums(probe, daily_lines)
    groups = summed()
    cycles = ensure_cycles({(account_id, start, end) for _c, account_id, _p, start, end, _k, _z in groups})
    opened = _open_with_debit(groups, cycles, now)
    with db.cursor() as cursor:
        _temp_table(
            cursor,
            "usage_groups",
            "connection_id bigint, account_id bigint, plan_id bigint, starts_at timestamptz, ends_at timestamptz, "
            "kind varchar(5), zone varchar(8), quantity numeric, cycle_id bigint, debited boolean",
        )
        # Each cycle's start and end as text once: formatting them is most of the cost of these lines.
        # (A comprehension works its value out for every item: over the groups, each pair's text would be made once
        # per group, two isoformat calls each: 0.65 s of the caller's Python for 265,000 groups.)
        cycles_of_groups = {(start, end) for _c, _a, _p, start, end, _k, _z in groups}
        stamps = {(start, end): f"{start.isoformat()}\t{end.isoformat()}" for start, end in cycles_of_groups}
        cycle_ids = {key: cycle.pk for key, cycle in cycles.items()}
        _copy_text(
            cursor,
            "usage_groups",
            "connection_id, account_id, plan_id, starts_at, ends_at, kind, zone, quantity, cycle_id, debited",
            (
                f"{c}\t{a}\t{p}\t{stamps[(start, end)]}\t{kind}\t{zone}\t{q}\t{y}\t{'t' if (c, y) in opened else 'f'}\n"
                for (c, a, p, start, end, kind, zone), q in groups.items()
                for y in (cycle_ids[(a, start)],)
            ),
        )
        if any((c, cycle_ids[(a, start)]) not in opened for c, a, _p, start, _e, _k, _z in groups):
            _add_plan_buckets(cursor, now)
            _temp_table(cursor, "usage_decide", "connection_id bigint, cycle_id bigint, kind varchar(5)")
            cursor.execute(_NEEDS_EVENTS)
            cursor.execute(_DEBIT, [now])
            cursor.execute("SELECT connection_id, cycle_id, kind FROM usage_decide")
            decide = cursor.fetchall()
        else:
            decide = []
    if decide:
        _debit_event_by_event(decide, fresh(), now)
    with db.cursor() as cursor:
        refresh_spend_in_sql(cursor, now)
        watched = capped_pairs_in_sql(cursor)
    raise_alerts(watched, now=now)


def _add_daily_sums(probe: list[tuple[int, datetime.date]], lines: list[str]) -> None:
    """PostgreSQL: add the batch's sums to the daily totals. When none of a few of its (connection, day) has a total
    yet (the first batch of a day: the usual case for a feed's new day), the rows are COPYed straight into the
    table, in a savepoint; if one had a total after all (the probe missed it), its unique index stops the COPY, the
    savepoint is rolled back and the sums are added from a staged copy as for every other batch: one statement
    updates the totals that exist and inserts the rest. The caller holds the counter writers' lock, so no other
    import adds totals meanwhile. `lines`: the sums as COPY lines, `probe`: a few of their (connection, day)
    (`_Tally.daily_lines`)."""
    columns = "day, kind, zone, quantity, connection_id"  # the connection last: `_number_daily_lines`
    if not _any_daily_total(probe):
        try:
            with transaction.atomic(), db.cursor() as cursor:
                _copy_text(cursor, "usage_dailyusage", columns, lines)
        except (IntegrityError, psycopg.errors.UniqueViolation):
            pass
        else:
            return
    with db.cursor() as cursor:
        _temp_table(
            cursor,
            "usage_daily_sums",
            "connection_id bigint, day date, kind varchar(5), zone varchar(8), quantity bigint",
        )
        _copy_text(cursor, "usage_daily_sums", columns, lines)
        # The totals that exist are added to and the rest inserted by one MERGE (PostgreSQL 15): one join of the
        # sums with the table decides which is which. It was an UPDATE … RETURNING whose returned rows an INSERT
        # then left out, which kept them all and joined them once more (a batch's totals are a good part of the
        # table): 2.2-2.5 s against 1.9 s for a file's 408,000 sums, 266,000 of them added to. Not an upsert: one
        # first tries the insert and locks the row it conflicts with (a WAL record more per total) before it
        # updates, and ON CONFLICT's speculative insertion costs 40 % more per new row. Only imports write daily
        # totals and they hold the lock, so none can appear meanwhile; if one did, the unique index would stop the
        # MERGE and the batch would roll back whole (nothing counted twice or lost).
        cursor.execute(
            "MERGE INTO usage_dailyusage d USING usage_daily_sums s"  # noqa: S608
            " ON d.connection_id = s.connection_id AND d.day = s.day AND d.kind = s.kind AND d.zone = s.zone"
            " WHEN MATCHED THEN UPDATE SET quantity = d.quantity + s.quantity"
            f" WHEN NOT MATCHED THEN INSERT ({columns}) VALUES (s.day, s.kind, s.zone, s.quantity, s.connection_id)"
        )


def _any_daily_total(days: Sequence[tuple[int, datetime.date]]) -> bool:
    """Whether any of these (connection, day) has a daily total already."""
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM unnest(%s::bigint[], %s::date[]) AS p(connection_id, day) "
            "JOIN usage_dailyusage d ON d.connection_id = p.connection_id AND d.day = p.day)",
            [[c for c, _day in days], [day for _c, day in days]],
        )
        (found,) = cursor.fetchone()
    return bool(found)


def _pairs_with_buckets(pairs: Sequence[tuple[int, int]]) -> set[tuple[int, int]]:
    """Those of these (connection, cycle id) that have a bucket (of any source) already."""
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT p.connection_id, p.cycle_id FROM unnest(%s::bigint[], %s::bigint[]) AS p(connection_id, cycle_id) "
            "WHERE EXISTS (SELECT 1 FROM usage_bucket b WHERE b.connection_id = p.connection_id"
            " AND b.cycle_id = p.cycle_id)",
            [[c for c, _y in pairs], [y for _c, y in pairs]],
        )
        return set(cursor.fetchall())


def _open_with_debit(
    groups: dict[tuple[int, int, int, datetime.datetime, datetime.datetime, str, str], int],
    cycles: dict[tuple[int, datetime.datetime], BillingCycle],
    now: datetime.datetime,
) -> set[tuple[int, int]]:
    """PostgreSQL: the (connection, cycle id) of the batch that have no bucket yet get the plan's buckets with the
    batch's use already debited, worked out in Python and COPYed in once (not inserted, then updated by the debit);
    returns those pairs. The plan's buckets of a cycle all start and end with it and each takes its own kind and
    zones, so their debit never depends on the order of the events (`_needs_events` is false): the sums decide.

    The caller holds the counter writers' lock, so no import makes these buckets meanwhile; if something else did
    (a gift granted at the same moment makes the plan's buckets first), the plan-bucket index stops the COPY, the
    savepoint is rolled back, and the pairs are left to the SQL path (none returned)."""
    uses: dict[tuple[int, int], list[tuple[str, str, int]]] = defaultdict(list)
    opening: dict[tuple[int, int], tuple[int, datetime.datetime, datetime.datetime]] = {}
    for (connection_id, account_id, plan_id, start, end, kind, zone), quantity in groups.items():
        pair = (connection_id, cycles[(account_id, start)].pk)
        uses[pair].append((kind, zone, quantity))
        opening[pair] = (plan_id, start, end)
    existing = _pairs_with_buckets(list(opening))
    new = [pair for pair in opening if pair not in existing]
    if not new:
        return set()
    plans = TariffPlan.objects.in_bulk({opening[pair][0] for pair in new})
    # Per (plan, cycle): the plan's allowances, which one bucket takes each kind and zone, and each bucket's COPY
    # text but for its ids and counters (the same for every connection of the plan in that cycle).
    shapes: dict[tuple[int, datetime.datetime, datetime.datetime], _PlanShape] = {}
    lines: list[str] = []
    tally: dict[tuple[int, int, str, str], int] = defaultdict(int)
    as_of = now.isoformat()
    counted = COUNTED_WORLD_ZONES
    for pair in new:
        plan_id, start, end = shape_key = opening[pair]
        shape = shapes.get(shape_key)
        if shape is None:
            shape = shapes[shape_key] = _plan_shape(plan_allowances(plans[plan_id], start), start, end, as_of)
        given, only, middles, tail = shape
        use = uses[pair]
        if all((kind, zone) in only for kind, zone, _quantity in use):
            # Each of the pair's uses has one bucket that takes it: `buckets.debit` comes down to filling that
            # bucket up to its allowance and counting the rest out of bucket on it.
            used = [0] * len(given)
            over = [0] * len(given)
            for kind, zone, quantity in use:
                index = only[(kind, zone)]
                allowance = given[index][2]
                taken = quantity if allowance is None else min(max(allowance - used[index], 0), quantity)
                used[index] += taken
                if quantity > taken:
                    over[index] += quantity - taken
                    if zone in counted:
                        tally[(*pair, kind, zone)] += quantity - taken
        else:
            # In the order they are written, which is their debit order too: the plan's buckets share their
            # priority and their end, so the id (the order of writing) decides.
            ordered = [
                Counter(index, kind, zone, Source.PLAN, allowance, 0, 0, PLAN_PRIORITY, start, end)
                for index, (kind, zone, allowance, _fair_use) in enumerate(given)
            ]
            for kind, zone, quantity in use:
                _debit(ordered, kind, zone, start, quantity, tally, pair)
            used = [b.used for b in ordered]
            over = [b.out_of_bucket for b in ordered]
        head = f"{pair[0]}\t{pair[1]}\t"
        lines.extend(f"{head}{middle}{u}\t{o}{tail}" for middle, u, o in zip(middles, used, over, strict=True))
    try:
        with transaction.atomic(), db.cursor() as cursor:
            _copy_text(
                cursor,
                "usage_bucket",
                "connection_id, cycle_id, kind, zone, source, label, allowance, fair_use_cap, used, out_of_bucket, "
                "priority, valid_from, valid_until, as_of",
                lines,
            )
    except (IntegrityError, psycopg.errors.UniqueViolation):
        return set()
    _add_zone_out_of_bucket(tally)
    return set(new)


class _PlanShape(NamedTuple):
    """A plan's buckets in one cycle, as `_open_with_debit` writes them for each connection."""

    given: list[tuple[str, str, int | None, int | None]]  # (kind, zone, allowance, fair-use cap), in writing order
    only: dict[tuple[str, str], int]  # (kind, event zone) → the index of the one bucket that takes it
    middles: list[str]  # each bucket's COPY text from its kind to its fair-use cap
    tail: str  # the COPY text after the counters: priority, dates, as_of


def _plan_shape(
    given: list[tuple[str, str, int | None, int | None]],
    start: datetime.datetime,
    end: datetime.datetime,
    as_of: str,
) -> _PlanShape:
    only: dict[tuple[str, str], int] = {}
    for kind in Kind.values:
        for zone in Zone.values:
            takers = [i for i, (k, z, _a, _f) in enumerate(given) if k == kind and zone in ZONES_OF_BUCKET[z]]
            if len(takers) == 1:
                only[(kind, zone)] = takers[0]
    return _PlanShape(
        given,
        only,
        [f"{k}\t{z}\tplan\t\t{_copy_null(a)}\t{_copy_null(f)}\t" for k, z, a, f in given],
        f"\t{PLAN_PRIORITY}\t{start.isoformat()}\t{end.isoformat()}\t{as_of}\n",
    )


def _copy_null(value: int | None) -> str:
    return r"\N" if value is None else str(value)


# The (connection, cycle, kind) of the batch whose debit depends on the order of its events (`_needs_events`):
# a bucket it may debit starts or ends inside the cycle; or Latvia and the EU both have events and share some
# buckets but not all (a gift for both beside the plan's bucket of each), so which zone reaches the shared bucket
# first decides; or two zones outside the EU both have events and a world bucket has room left, so the order decides
# which zone's use is out of bucket. Everything else has a result that the sums decide alone.
_NEEDS_EVENTS = (
    "INSERT INTO usage_decide (connection_id, cycle_id, kind) "
    "SELECT g.connection_id, g.cycle_id, g.kind FROM usage_groups g "
    "JOIN usage_bucket b ON b.connection_id = g.connection_id AND b.cycle_id = g.cycle_id AND b.kind = g.kind"
    # The buckets that take an event of a zone: its own zone's, and for Latvia and the EU also the shared ones.
    # and for the zones outside the EU also the world buckets, which take all of them.
    " AND (b.zone = g.zone OR (b.zone = 'home_eu' AND g.zone IN ('domestic', 'eu'))"
    "  OR (b.zone = 'world' AND g.zone IN ('world1', 'world2'))) "
    "WHERE NOT g.debited "
    "GROUP BY 1, 2, 3 "
    "HAVING bool_or(b.valid_from > g.starts_at OR b.valid_until < g.ends_at)"
    " OR (count(DISTINCT g.zone) FILTER (WHERE g.zone IN ('domestic', 'eu')) = 2"
    "     AND bool_or(b.zone = 'home_eu') AND bool_or(b.zone IN ('domestic', 'eu')))"
    # Two world zones and a world bucket with room: which zone's use ends up out of bucket depends on the order.
    " OR (count(DISTINCT g.zone) FILTER (WHERE g.zone IN ('world1', 'world2', 'world')) > 1"
    "     AND bool_or(b.zone = 'world' AND (b.allowance IS NULL OR b.allowance > b.used)))"
)

# The debit of everything else in one statement, as `buckets.debit` does it for one sum: each group's sum fills its
# eligible buckets in debit order (priority, earliest expiry, oldest); an unlimited bucket takes all that reaches
# it; what none can take is out of bucket on the last eligible plan bucket. Latvia's and the EU's sums are one
# group where they may debit the same buckets only (the plan's calls and SMS): filling them one after the other
# or together comes to the same. The zones outside the EU are groups of their own that reach the same world buckets,
# which then have no room left (else _NEEDS_EVENTS sent them event by event): each group's rest goes to the plan's
# world bucket, so the bucket's changes are summed before one UPDATE sets it, and the rests of world zones 1 and 2
# are added to their own counters (ZoneOutOfBucket) for pricing.
_DEBIT = (
    "WITH g AS ("
    " SELECT g.connection_id, g.cycle_id, g.kind, g.quantity,"
    "  CASE WHEN g.zone IN ('domestic', 'eu') AND NOT EXISTS (SELECT 1 FROM usage_bucket x"
    "   WHERE x.connection_id = g.connection_id AND x.cycle_id = g.cycle_id AND x.kind = g.kind"
    "   AND x.zone IN ('domestic', 'eu')) THEN 'home_eu'"
    "  ELSE g.zone END AS zone"
    " FROM usage_groups g WHERE NOT g.debited"
    "  AND NOT EXISTS (SELECT 1 FROM usage_decide d WHERE d.connection_id = g.connection_id"
    "  AND d.cycle_id = g.cycle_id AND d.kind = g.kind)),"
    " q AS (SELECT connection_id, cycle_id, kind, zone, sum(quantity) AS quantity FROM g GROUP BY 1, 2, 3, 4),"
    " ranked AS ("
    "  SELECT q.connection_id, q.cycle_id, q.kind, q.zone, q.quantity, b.id, b.source,"
    "   b.allowance IS NULL AS unlimited,"
    "   (CASE WHEN b.allowance IS NULL THEN 0 ELSE greatest(b.allowance - b.used, 0) END)::numeric AS room,"
    "   row_number() OVER (PARTITION BY q.connection_id, q.cycle_id, q.kind, q.zone"
    "    ORDER BY b.priority, b.valid_until NULLS LAST, b.id) AS place"
    "  FROM q JOIN usage_bucket b ON b.connection_id = q.connection_id AND b.cycle_id = q.cycle_id"
    "   AND b.kind = q.kind AND (b.zone = q.zone OR (b.zone = 'home_eu' AND q.zone IN ('domestic', 'eu'))"
    "    OR (b.zone = 'world' AND q.zone IN ('world1', 'world2')))),"
    " filled AS ("
    "  SELECT id, connection_id, cycle_id, kind, zone, quantity, unlimited, room,"
    "   coalesce(sum(room) OVER earlier, 0) AS room_before,"
    "   coalesce(bool_or(unlimited) OVER earlier, false) AS unlimited_before,"
    "   sum(room) OVER whole AS room_total, bool_or(unlimited) OVER whole AS any_unlimited,"
    "   place = max(CASE WHEN source = 'plan' THEN place END) OVER whole AS last_plan"
    "  FROM ranked"
    "  WINDOW whole AS (PARTITION BY connection_id, cycle_id, kind, zone),"
    "   earlier AS (whole ORDER BY place ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)),"
    " debit AS ("
    "  SELECT id, connection_id, cycle_id, kind, zone,"
    "   CASE WHEN unlimited_before THEN 0 WHEN unlimited THEN greatest(quantity - room_before, 0)"
    "    ELSE least(room, greatest(quantity - room_before, 0)) END AS taken,"
    "   CASE WHEN last_plan AND NOT any_unlimited THEN greatest(quantity - room_total, 0) ELSE 0 END AS rest"
    "  FROM filled),"
    " tally AS ("
    "  INSERT INTO usage_zoneoutofbucket (connection_id, cycle_id, kind, zone, quantity)"
    "  SELECT connection_id, cycle_id, kind, zone, sum(rest)::bigint FROM debit"
    "  WHERE rest > 0 AND zone IN ('world1', 'world2') GROUP BY 1, 2, 3, 4"
    "  ON CONFLICT (connection_id, cycle_id, kind, zone)"
    "  DO UPDATE SET quantity = usage_zoneoutofbucket.quantity + excluded.quantity) "
    "UPDATE usage_bucket b SET used = b.used + d.taken::bigint, out_of_bucket = b.out_of_bucket + d.rest::bigint,"
    " as_of = %s FROM (SELECT id, sum(taken) AS taken, sum(rest) AS rest FROM debit GROUP BY id) d"
    " WHERE b.id = d.id AND (d.taken > 0 OR d.rest > 0)"
)


def _add_plan_buckets(cursor: Any, now: datetime.datetime) -> None:
    """PostgreSQL: the tariff plan's buckets for every (connection, cycle) of the batch that has none yet. The
    allowances are worked out in Python once per (plan, cycle start), the rows are made in SQL; a set another
    batch created meanwhile wins (the partial unique index)."""
    # The (connection, cycle) pairs without plan buckets, found once per pair (not once per group of the pair, nor
    # once per bucket to be made) and kept for the two statements below.
    _temp_table(
        cursor,
        "usage_missing",
        "connection_id bigint, cycle_id bigint, plan_id bigint, starts_at timestamptz, ends_at timestamptz",
    )
    cursor.execute(
        "INSERT INTO usage_missing SELECT p.connection_id, p.cycle_id, p.plan_id, p.starts_at, p.ends_at "
        "FROM (SELECT DISTINCT connection_id, cycle_id, plan_id, starts_at, ends_at FROM usage_groups"
        " WHERE NOT debited) p "
        "WHERE NOT EXISTS (SELECT 1 FROM usage_bucket b WHERE b.connection_id = p.connection_id"
        " AND b.cycle_id = p.cycle_id AND b.source = 'plan')"
    )
    if not cursor.rowcount:
        return
    cursor.execute("SELECT DISTINCT plan_id, starts_at FROM usage_missing")
    combinations = cursor.fetchall()
    plans = TariffPlan.objects.in_bulk({plan_id for plan_id, _start in combinations})
    _stage(
        cursor,
        "usage_allowance_stage",
        "plan_id bigint, starts_at timestamptz, kind varchar(5), zone varchar(8), allowance bigint, "
        "fair_use_cap bigint",
        (
            (plan_id, starts_at, *allowance)
            for plan_id, starts_at in combinations
            for allowance in plan_allowances(plans[plan_id], starts_at)
        ),
    )
    cursor.execute(
        "INSERT INTO usage_bucket (connection_id, cycle_id, kind, zone, allowance, fair_use_cap, valid_from, "
        "valid_until, source, label, used, out_of_bucket, priority, as_of) "
        "SELECT p.connection_id, p.cycle_id, s.kind, s.zone, s.allowance, s.fair_use_cap, p.starts_at, p.ends_at,"
        " 'plan', '', 0, 0, %s, %s "
        "FROM usage_missing p JOIN usage_allowance_stage s ON s.plan_id = p.plan_id AND s.starts_at = p.starts_at "
        "ON CONFLICT DO NOTHING",
        [PLAN_PRIORITY, now],
    )


def _debit_event_by_event(
    decide: list[tuple[int, int, str]], fresh: list[tuple[EventRow, _Target]], now: datetime.datetime
) -> None:
    """PostgreSQL: the (connection, cycle, kind) that need a decision per event, debited in the order the events
    happened (ties by event id), Latvia's and the EU's together, as the Python path does it."""
    cycle_of = {c.pk: c for c in BillingCycle.objects.filter(pk__in={cycle_id for _c, cycle_id, _k in decide})}
    wanted: dict[tuple[int, str], list[BillingCycle]] = defaultdict(list)
    for connection_id, cycle_id, kind in decide:
        wanted[(connection_id, kind)].append(cycle_of[cycle_id])
    counters = ("id", "kind", "zone", "source", "allowance", "used", "out_of_bucket", "priority")
    buckets: dict[tuple[int, int], list[Counter]] = defaultdict(list)
    with db.cursor() as cursor:
        cursor.execute(
            f"SELECT b.connection_id, b.cycle_id, {', '.join('b.' + c for c in counters)}, b.valid_from, "  # noqa: S608
            "b.valid_until FROM usage_bucket b JOIN (SELECT DISTINCT connection_id, cycle_id FROM usage_decide) d"
            " ON d.connection_id = b.connection_id AND d.cycle_id = b.cycle_id"
        )
        for connection_id, cycle_id, *values in cursor.fetchall():
            buckets[(connection_id, cycle_id)].append(Counter(*values))
    # The batch's events of those (connection, kind), in the order they happened (ties by event id), as the Python
    # path takes them.
    events = [
        (t.connection_id, e.kind, e.zone, e.started_at, e.quantity)
        for e, t in sorted(
            ((e, t) for e, t in fresh if (t.connection_id, e.kind) in wanted),
            key=lambda pair: (pair[0].started_at, pair[0].source_key),
        )
    ]
    ordered = {pair: debit_order(found) for pair, found in buckets.items()}
    changed: dict[int, Counter] = {}
    tally: dict[tuple[int, int, str, str], int] = defaultdict(int)
    for connection_id, kind, zone, started_at, quantity in events:
        cycle = next((c for c in wanted[(connection_id, kind)] if c.starts_at <= started_at < c.ends_at), None)
        if cycle is None:
            continue  # this kind's sums of another cycle were debited in SQL
        candidates = ordered.get((connection_id, cycle.pk), [])
        for index in _debit(candidates, kind, zone, started_at, quantity, tally, (connection_id, cycle.pk)):
            changed[candidates[index].id] = candidates[index]
    _write_buckets(list(changed.values()), now)
    _add_zone_out_of_bucket(tally)


def _insert_events(known: list[tuple[EventRow, _Target]], now: datetime.datetime) -> set[str]:
    """SQLite: insert the events not yet recorded; the keys of those inserted by this call. (PostgreSQL records
    them through the key table: `_record_events`.)"""
    rows = [(e.source_key, t.connection_id, e.kind, e.zone, e.started_at, e.quantity, now) for e, t in known]
    columns = "source_key, connection_id, kind, zone, started_at, quantity, received_at"
    with db.cursor() as cursor:
        # SQLite serialises writers, so the keys read here cannot be inserted by anyone else before we write.
        keys = [row[0] for row in rows]
        existing: set[str] = set()
        for chunk in _chunks(keys, 500):
            marks = ",".join("%s" for _ in chunk)
            cursor.execute(f"SELECT source_key FROM usage_usageevent WHERE source_key IN ({marks})", list(chunk))  # noqa: S608
            existing.update(key for (key,) in cursor.fetchall())
        new_rows = [row for row in rows if row[0] not in existing]
        cursor.executemany(
            f"INSERT INTO usage_usageevent ({columns}) VALUES (%s, %s, %s, %s, %s, %s, %s)",  # noqa: S608
            new_rows,
        )
        return {row[0] for row in new_rows}


def _apply(fresh: list[tuple[EventRow, _Target]], now: datetime.datetime) -> None:
    """Debit the new events from their cycles' buckets and add them to the daily totals."""
    _serialise_counter_writers()
    hours: dict[tuple[int, int], tuple[datetime.datetime, datetime.datetime, datetime.date]] = {}
    groups: dict[tuple[int, datetime.datetime, str, str], list[EventRow]] = defaultdict(list)
    daily: dict[tuple[int, datetime.date, str, str], int] = defaultdict(int)
    cycles_wanted: dict[tuple[int, datetime.datetime], datetime.datetime] = {}
    pair_target: dict[tuple[int, datetime.datetime], _Target] = {}
    for event, target in fresh:
        # Every time zone's offset is a whole number of quarter hours, so the UTC quarter hour decides the local
        # day and cycle: compute them once per quarter hour.
        hour_key = (target.cycle_day, int(event.started_at.timestamp()) // 900)
        bounds = hours.get(hour_key)
        if bounds is None:
            start, end = cycle_bounds(target.cycle_day, event.started_at)
            bounds = hours[hour_key] = (start, end, local_day(event.started_at))
        start, end, day = bounds
        cycles_wanted[(target.account_id, start)] = end
        pair_target[(target.connection_id, start)] = target
        groups[(target.connection_id, start, event.kind, event.zone)].append(event)
        daily[(target.connection_id, day, event.kind, event.zone)] += event.quantity
    cycles = ensure_cycles((a, s, e) for (a, s), e in cycles_wanted.items())
    buckets = _buckets(pair_target, cycles, now)
    changed: dict[int, Counter] = {}
    tally: dict[tuple[int, int, str, str], int] = defaultdict(int)
    by_kind: dict[tuple[int, datetime.datetime, str], dict[str, list[EventRow]]] = defaultdict(dict)
    for (connection_id, start, kind, zone), group in groups.items():
        by_kind[(connection_id, start, kind)][zone] = group
    for (connection_id, start, kind), zones in by_kind.items():
        ordered = buckets[(connection_id, start)]
        cycle = cycles[(pair_target[(connection_id, start)].account_id, start)]
        pair = (connection_id, cycle.pk)
        if _needs_events(ordered, kind, set(zones), start, cycle.ends_at):
            events = sorted((e for group in zones.values() for e in group), key=lambda e: (e.started_at, e.source_key))
            touched = set()
            for event in events:
                touched |= _debit(ordered, kind, event.zone, event.started_at, event.quantity, tally, pair)
        else:
            touched = set()
            for zone, group in zones.items():
                touched |= _debit(ordered, kind, zone, start, sum(e.quantity for e in group), tally, pair)
        for index in touched:
            changed[ordered[index].id] = ordered[index]
    _write_buckets(list(changed.values()), now)
    _add_zone_out_of_bucket(tally)
    _add_daily(daily)
    pairs = {(c, cycles[(t.account_id, start)].pk) for (c, start), t in pair_target.items()}
    refresh_spend(pairs, now)
    raise_alerts(watched_pairs(pairs), now=now)


def _needs_events(
    ordered: Sequence[Counter], kind: str, zones: set[str], start: datetime.datetime, end: datetime.datetime
) -> bool:
    """Whether the debit of this kind in this cycle depends on the order of its events, not only on the sums per
    zone (the SQL path's _NEEDS_EVENTS says the same): a bucket it may debit starts or ends inside the cycle; or
    Latvia and the EU both have events and share some buckets but not all, so which zone reaches a shared bucket
    first decides; or two zones outside the EU both have events and a world bucket has room left, so the order
    decides which zone's use is out of bucket. Then every event is debited in the order it happened (ties by event
    id)."""
    candidates = [b for b in ordered if b.kind == kind and zones & ZONES_OF_BUCKET[b.zone]]
    if any(b.valid_from > start or (b.valid_until is not None and b.valid_until < end) for b in candidates):
        return True
    worlds = len(zones & ZONES_OF_BUCKET[BucketZone.WORLD]) > 1
    room = any(b.zone == BucketZone.WORLD and (b.allowance is None or b.allowance > b.used) for b in candidates)
    if worlds and room:
        return True
    both = {Zone.DOMESTIC, Zone.EU} <= zones
    shared = any(b.zone == BucketZone.HOME_AND_EU for b in candidates)
    separate = any(b.zone in (BucketZone.DOMESTIC, BucketZone.EU) for b in candidates)
    return both and shared and separate


def _debit(
    ordered: list[Counter],
    kind: str,
    zone: str,
    at: datetime.datetime,
    quantity: int,
    tally: dict[tuple[int, int, str, str], int],
    pair: tuple[int, int],
) -> set[int]:
    """`buckets.debit`, adding what went out of bucket in world zone 1 or 2 to `tally` by (connection, cycle, kind,
    zone)."""
    if zone not in COUNTED_WORLD_ZONES:
        return debit(ordered, kind, zone, at, quantity)
    before = sum(b.out_of_bucket for b in ordered)
    changed = debit(ordered, kind, zone, at, quantity)
    over = sum(b.out_of_bucket for b in ordered) - before
    if over:
        tally[(*pair, kind, zone)] += over
    return changed


def _add_zone_out_of_bucket(tally: dict[tuple[int, int, str, str], int]) -> None:
    """Add to the world zones' out-of-bucket counters (few rows: use outside the EU is rare)."""
    if not tally:
        return
    table = ZoneOutOfBucket._meta.db_table
    with db.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (connection_id, cycle_id, kind, zone, quantity) VALUES (%s, %s, %s, %s, %s) "  # noqa: S608
            f"ON CONFLICT (connection_id, cycle_id, kind, zone) DO UPDATE SET quantity = {table}.quantity + "
            "excluded.quantity",
            [(*key, quantity) for key, quantity in tally.items()],
        )


def _serialise_counter_writers() -> None:
    """One batch at a time writes bucket counters (until its transaction ends), so each reads what the last one
    committed. Cheaper than locking tens of thousands of bucket rows per batch with SELECT … FOR UPDATE, which
    writes every row it locks; a single stream of batches is what the feeds send anyway. SQLite serialises writers
    by itself. Buckets added meanwhile by grant_bonus are new rows, so they do not conflict."""
    if db.vendor == "postgresql":
        with db.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [COUNTER_LOCK])


def _buckets(
    pair_target: dict[tuple[int, datetime.datetime], _Target],
    cycles: dict[tuple[int, datetime.datetime], BillingCycle],
    now: datetime.datetime,
) -> dict[tuple[int, datetime.datetime], list[Counter]]:
    """The buckets of every (connection, cycle start) in debit order, creating the plan's buckets where a cycle
    has none yet. The caller holds the counter writers' lock."""
    cycle_of = {pair: cycles[(t.account_id, pair[1])] for pair, t in pair_target.items()}
    cycle_by_id = {c.pk: c for c in cycle_of.values()}
    counters = ("id", "kind", "zone", "source", "allowance", "used", "out_of_bucket", "priority")

    def bucket_rows() -> Iterator[tuple[Any, ...]]:
        """(connection id, cycle id, the counters…, valid_from, valid_until) of the batch's buckets."""
        connection_ids = sorted({c for c, _s in pair_target})
        if db.vendor == "postgresql":
            with db.cursor() as cursor:
                # Plan buckets' dates are their cycle's (filled in below), so they are not read and parsed per row.
                cursor.execute(
                    f"SELECT connection_id, cycle_id, {', '.join(counters)}, "  # noqa: S608
                    "CASE WHEN source = 'plan' THEN NULL ELSE valid_from END, "
                    "CASE WHEN source = 'plan' THEN NULL ELSE valid_until END "
                    "FROM usage_bucket WHERE connection_id = ANY(%s) AND cycle_id = ANY(%s)",
                    [connection_ids, list(cycle_by_id)],
                )
                yield from cursor.fetchall()
            return
        for chunk in _chunks(connection_ids, 5000):
            yield from Bucket.objects.filter(connection_id__in=chunk, cycle_id__in=cycle_by_id).values_list(
                "connection_id", "cycle_id", *counters, "valid_from", "valid_until"
            )

    def load() -> dict[tuple[int, datetime.datetime], list[Counter]]:
        found: dict[tuple[int, datetime.datetime], list[Counter]] = defaultdict(list)
        for connection_id, cycle_id, *values in bucket_rows():
            cycle = cycle_by_id[cycle_id]
            pair = (connection_id, cycle.starts_at)
            if pair not in pair_target:
                continue
            if values[3] == Source.PLAN:
                values[-2:] = [cycle.starts_at, cycle.ends_at]
            found[pair].append(Counter(*values))
        return found

    found = load()
    missing = [pair for pair in pair_target if not any(b.source == Source.PLAN for b in found.get(pair, []))]
    if missing:
        plans = TariffPlan.objects.in_bulk({pair_target[p].plan_id for p in missing})
        rows: list[tuple[Any, ...]] = []
        for pair in missing:
            cycle = cycle_of[pair]
            for kind, zone, allowance, fair_use in plan_allowances(plans[pair_target[pair].plan_id], cycle.starts_at):
                rows.append((pair[0], cycle.pk, kind, zone, allowance, fair_use, cycle.starts_at, cycle.ends_at))
        _insert_plan_buckets(rows, now)
        found = load()
    return {pair: debit_order(found[pair]) for pair in pair_target}


def _insert_plan_buckets(rows: list[tuple[Any, ...]], now: datetime.datetime) -> None:
    """Insert plan buckets; a set another batch created meanwhile wins (the partial unique index)."""
    columns = "connection_id, cycle_id, kind, zone, allowance, fair_use_cap, valid_from, valid_until"
    constants = "'plan', '', 0, 0"
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            _stage(
                cursor,
                "usage_bucket_stage",
                "connection_id bigint, cycle_id bigint, kind varchar(5), zone varchar(8), allowance bigint, "
                "fair_use_cap bigint, valid_from timestamptz, valid_until timestamptz",
                rows,
            )
            cursor.execute(
                f"INSERT INTO usage_bucket ({columns}, source, label, used, out_of_bucket, priority, as_of) "  # noqa: S608
                f"SELECT {columns}, {constants}, %s, %s FROM usage_bucket_stage ON CONFLICT DO NOTHING",
                [PLAN_PRIORITY, now],
            )
            return
        cursor.executemany(
            f"INSERT INTO usage_bucket ({columns}, source, label, used, out_of_bucket, priority, as_of) "  # noqa: S608
            f"VALUES (%s, %s, %s, %s, %s, %s, %s, %s, {constants}, %s, %s) ON CONFLICT DO NOTHING",
            [(*row, PLAN_PRIORITY, now) for row in rows],
        )


def _write_buckets(changed: list[Counter], now: datetime.datetime) -> None:
    """Set the new counters of the changed buckets (the rows are locked by us)."""
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            _stage(
                cursor,
                "usage_counter_stage",
                "id bigint, used bigint, out_of_bucket bigint",
                ((b.id, b.used, b.out_of_bucket) for b in changed),
            )
            cursor.execute(
                "UPDATE usage_bucket SET used = s.used, out_of_bucket = s.out_of_bucket, as_of = %s "
                "FROM usage_counter_stage AS s WHERE usage_bucket.id = s.id",
                [now],
            )
            return
        cursor.executemany(
            "UPDATE usage_bucket SET used = %s, out_of_bucket = %s, as_of = %s WHERE id = %s",
            [(b.used, b.out_of_bucket, now, b.id) for b in changed],
        )


def _add_daily(daily: dict[tuple[int, datetime.date, str, str], int]) -> None:
    rows = [(*key, quantity) for key, quantity in daily.items()]
    columns = "connection_id, day, kind, zone, quantity"
    upsert = (
        "ON CONFLICT (connection_id, day, kind, zone) "
        "DO UPDATE SET quantity = usage_dailyusage.quantity + excluded.quantity"
    )
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            _stage(
                cursor,
                "usage_daily_stage",
                "connection_id bigint, day date, kind varchar(5), zone varchar(8), quantity bigint",
                rows,
            )
            cursor.execute(f"INSERT INTO usage_dailyusage ({columns}) SELECT {columns} FROM usage_daily_stage {upsert}")  # noqa: S608
            return
        cursor.executemany(f"INSERT INTO usage_dailyusage ({columns}) VALUES (%s, %s, %s, %s, %s) {upsert}", rows)  # noqa: S608
