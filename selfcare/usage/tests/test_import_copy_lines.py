"""A file's events recorded as their rows say, however the parser thread made their COPY lines: per number, with
the connection id put in once the numbers are resolved, and every kind, zone and number checked once per value as
sent."""

from __future__ import annotations

import datetime
import random
from pathlib import Path
from typing import Any

import pytest
from django.db import connection as db
from django.db import transaction

from selfcare.customers.tests import factories
from selfcare.errors import ErrorCode
from selfcare.tests.clock import at, riga
from selfcare.usage import ingest as ingest_module
from selfcare.usage.csvfile import import_file
from selfcare.usage.ingest import EventRow, Rejected, parse_row, row_parser
from selfcare.usage.models import UsageEvent

HEADER = "event_id,msisdn,type,zone,started_at,quantity,country"
NOW = riga(2027, 3, 21, 9)


def _event(row: EventRow) -> tuple[Any, ...]:
    return (row.source_key, row.msisdn, row.kind, row.zone, row.started_at, row.quantity)


def test_a_parser_that_checks_each_value_once_parses_every_row_as_a_parser_of_its_own_would() -> None:
    # The same kinds, zones, numbers and quantities, sent with spaces around them and without, good and bad, over
    # and over: a parser remembers the values it found good, and still parses each row as a new parser would.
    now = datetime.datetime(2027, 3, 21, 7, tzinfo=datetime.UTC)
    started = "2027-03-20T10:00:00+02:00"
    rows = [
        [" k1 ", "+37125500001", "data", "domestic", started, "5"],
        ["k2", " +37125500001 ", " data ", "eu ", started, " 5 "],
        ["k3", "+37125500001", "fax", "domestic", started, "5"],
        ["k4", "+37125500001", "data ", "mars", started, "5"],
        ["k5", "+37125500001", " fax", " eu", started, "5"],
        ["k6", "+37125500001", "fax", "domestic", started, "5"],  # a bad kind seen before is still bad
        ["k7", "+37125500001", "data", "mars", started, "5"],
        ["k8", "+3712550000x", "data", "domestic", started, "5"],
        ["k9", "+3712550000x", "data", "domestic", started, "5"],
        ["k10", "+37125500002", "voice", "world", started, "60", "CH"],
        ["k11", "+37125500002", " voice", " world ", started, "60", ""],
        ["k12", "+37125500002", "sms", "world", started, "1", " us "],
        ["k13", "+37125500002", "sms", "world", started, "1", "X1"],
        ["k14", "+37125500001", "data", "domestic", started, "٥"],  # a digit, but not an ASCII one
        ["k15", "+37125500001", "data", "domestic", started, "²"],
        ["k16", "+37125500001", "data", "domestic", started, "+5"],
        ["k17", "+37125500001", "data", "domestic", started, ""],
        ["k18", "+37125500001", "data", "domestic", started, str(ingest_module.MAX_QUANTITY)],
        ["k19", "+37125500001", "data", "domestic", started, str(ingest_module.MAX_QUANTITY + 1)],
        ["k20", "+37125500001", "data", "domestic", started, " 007"],
        ["k21", "+37125500001", "data", "domestic", "2027-03-20T10:00:00", "5"],
        ["k22", "+37125500001", "data", "domestic", "2027-03-21T09:06:00+02:00", "5"],
    ]
    parse = row_parser(now)
    together = [parse(values, line) for line, values in enumerate(rows, start=2)]
    one_by_one = [parse_row(values, line, now=now) for line, values in enumerate(rows, start=2)]
    assert together == one_by_one
    rejected = {r.source_key: r.code for r in together if isinstance(r, Rejected)}
    assert rejected == {
        "k3": ErrorCode.USAGE_KIND,
        "k4": ErrorCode.USAGE_ZONE,
        "k5": ErrorCode.USAGE_KIND,
        "k6": ErrorCode.USAGE_KIND,
        "k7": ErrorCode.USAGE_ZONE,
        "k8": ErrorCode.USAGE_MSISDN,
        "k9": ErrorCode.USAGE_MSISDN,
        "k13": ErrorCode.USAGE_COUNTRY,
        "k14": ErrorCode.USAGE_QUANTITY,
        "k15": ErrorCode.USAGE_QUANTITY,
        "k16": ErrorCode.USAGE_QUANTITY,
        "k17": ErrorCode.USAGE_QUANTITY,
        "k19": ErrorCode.USAGE_QUANTITY,
        "k21": ErrorCode.USAGE_STARTED_AT,
        "k22": ErrorCode.USAGE_IN_FUTURE,
    }
    good = {r.source_key: _event(r) for r in together if isinstance(r, EventRow)}
    at_utc = datetime.datetime(2027, 3, 20, 8, tzinfo=datetime.UTC)
    assert good == {
        "k1": ("k1", "+37125500001", "data", "domestic", at_utc, 5),
        "k2": ("k2", "+37125500001", "data", "eu", at_utc, 5),
        "k10": ("k10", "+37125500002", "voice", "world1", at_utc, 60),
        "k11": ("k11", "+37125500002", "voice", "world", at_utc, 60),
        "k12": ("k12", "+37125500002", "sms", "world2", at_utc, 1),
        "k18": ("k18", "+37125500001", "data", "domestic", at_utc, ingest_module.MAX_QUANTITY),
        "k20": ("k20", "+37125500001", "data", "domestic", at_utc, 7),
    }


@pytest.mark.django_db
def test_a_file_of_interleaved_numbers_records_each_event_under_its_own_number_as_its_row_says(
    tmp_path: Path,
) -> None:
    # Three live numbers and one unknown, their rows interleaved and shuffled (the parser thread groups each
    # number's COPY lines, the caller's thread puts the connection id in), in batches that split numbers, with an
    # id repeated, an id with a backslash and times in other offsets: every event is recorded as its row says.
    connections = [factories.connection() for _ in range(3)]
    numbers = [c.msisdn for c in connections]
    chooser = random.Random(7)
    lines, expected = [], {}
    for n in range(90):
        number = chooser.choice([*numbers, "+37120000000"])
        kind, zone, country = chooser.choice(
            [("data", "domestic", ""), ("voice", " eu", ""), ("sms", "world", "CH"), ("data", "world ", "")]
        )
        offset = chooser.choice([0, 2, -5])
        local = NOW - datetime.timedelta(minutes=chooser.randrange(1, 5000))
        started = local.astimezone(datetime.timezone(datetime.timedelta(hours=offset)))
        key = f"ev\\{n}" if n % 17 == 0 else f"ev:{n}"
        quantity = chooser.randrange(1, 10**6)
        lines.append(f"{key},{number},{kind},{zone},{started.isoformat()},{quantity},{country}")
        if number != "+37120000000":
            place = "world1" if country == "CH" else zone.strip()
            expected[key] = (numbers.index(number), kind, place, local, quantity)
    lines.append(lines[5])  # an id repeated: its first row counts
    path = tmp_path / "usage.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    with at(NOW):
        result = import_file(path, batch_rows=25)
    unknown = sum(",+37120000000," in line for line in lines[:-1])
    assert (result.received, result.recorded, result.duplicates) == (91, 90 - unknown, 1)
    assert {r.code for r in result.rejected} == {ErrorCode.USAGE_UNKNOWN_NUMBER}
    ids = [c.pk for c in connections]
    recorded = {
        key: (ids.index(connection_id), kind, zone, started_at, quantity)
        for key, connection_id, kind, zone, started_at, quantity in UsageEvent.objects.values_list(
            "source_key", "connection_id", "kind", "zone", "started_at", "quantity"
        )
    }
    assert recorded == expected


@pytest.mark.django_db
def test_copy_lines_put_each_event_under_its_own_connection_whatever_order_the_events_come_in() -> None:
    # The caller's thread hands `_copy_events` its events by connection; in any other order (a caller of tomorrow)
    # each event is still written under its own number's connection, with all of its fields.
    if db.vendor != "postgresql":
        pytest.skip("the COPY lines are PostgreSQL's")
    connections = [factories.connection() for _ in range(4)]
    now = datetime.datetime.now(datetime.UTC)
    rows = [
        [f"k{n}", connections[n % 4].msisdn, "data", "domestic", (now - datetime.timedelta(minutes=n)).isoformat(), "9"]
        for n in range(40)
    ]
    parse = row_parser(now)
    batch = ingest_module.prepare([parse(values, line) for line, values in enumerate(rows, 2)], copy_lines=True)
    assert batch.lines is not None
    targets = ingest_module._targets(batch.numbers)
    known = [(event, targets[event.msisdn]) for event in batch.events]
    random.Random(3).shuffle(known)
    with transaction.atomic():
        assert ingest_module._copy_events(known, batch.lines)
    recorded = set(UsageEvent.objects.values_list("source_key", "connection_id", "started_at", "quantity"))
    assert recorded == {(e.source_key, t.connection_id, e.started_at, e.quantity) for e, t in known}


# A moment, and the forms a source may send it in: ISO 8601's extended form to the second or the microsecond with a
# ±HH:MM offset PostgreSQL takes (up to ±15:59), whose text goes into the COPY lines as sent; and forms Python reads
# but PostgreSQL does not, or reads otherwise (a week date, a space or another character for the T, a comma before
# the fraction, Z, the basic form, offsets beyond ±15:59, minutes of 60 and more), which are formatted first.
MOMENT = datetime.datetime(2027, 3, 20, 8, 12, 33, 456789, tzinfo=datetime.UTC)
KEPT = [
    "2027-03-20T10:12:33.456789+02:00",
    "2027-03-20T03:12:33.456789-05:00",
    "2027-03-20T23:42:33.456789+15:30",
    "2027-03-20T08:12:33+00:00",
]
FORMATTED = [
    "2027-03-21T00:12:33.456789+16:00",
    "2027-03-19T08:13:33.456789-23:59",
    "2027-03-20T11:27:33.456789+02:75",
    "2027-W11-6T08:12:33.456789+00:00",
    "2027-03-20 08:12:33.456789+00:00",
    "2027-03-20x08:12:33.456789+00:00",
    "2027-03-20T08:12:33,456789+00:00",
    "2027-03-20T08:12:33.456789Z",
    "20270320T081233.456789+0000",
]


def test_a_start_time_is_kept_as_sent_for_the_copy_only_in_the_form_postgresql_reads_as_the_same_moment() -> None:
    parse = row_parser(NOW)
    for started in KEPT + FORMATTED:
        row = parse(["k", "+37125500001", "data", "domestic", f" {started} ", "1"], 2)
        assert isinstance(row, EventRow), started
        assert row.stamp == (started if started in KEPT else ""), started


@pytest.mark.django_db
def test_a_start_time_sent_in_any_form_python_reads_is_recorded_as_the_moment_it_names(tmp_path: Path) -> None:
    connection = factories.connection()
    sent = KEPT + FORMATTED
    lines = [f't:{n},{connection.msisdn},data,domestic,"{started}",1,' for n, started in enumerate(sent)]
    path = tmp_path / "usage.csv"
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    with at(NOW):
        result = import_file(path, batch_rows=4)
    assert (result.recorded, result.rejected) == (len(sent), [])
    whole_second = MOMENT.replace(microsecond=0)
    expected = {
        f"t:{n}": whole_second if started == "2027-03-20T08:12:33+00:00" else MOMENT for n, started in enumerate(sent)
    }
    assert dict(UsageEvent.objects.values_list("source_key", "started_at")) == expected
    if db.vendor == "postgresql":
        with db.cursor() as cursor:
            cursor.execute("SELECT source_key, started_at FROM usage_usageeventkey")
            assert dict(cursor.fetchall()) == expected
