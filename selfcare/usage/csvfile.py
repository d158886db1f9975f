"""Reading usage files in the documented CSV format (docs/usage-format.md) in batches for `ingest`.

Python's csv module does the quoting rules; this module checks the header and counts lines so a bad row is
reported with the line a person sees in an editor (the header is line 1).

`import_file` reads a batch in parts (`PART_ROWS`) and parses the next part in a thread of its own while the current
one is ingested: ingestion spends most of a part waiting for PostgreSQL (psycopg lets go of the GIL meanwhile), and
parsing is pure Python that needs no database, so the two overlap on two cores instead of taking turns. The thread
also prepares the part (`ingest.prepare`: ids repeated in it told apart, its COPY lines made), which needs no
database either, so the caller's thread is left with the work that does. The thread never touches the database
(Django's connections are per thread: it would not see the caller's transaction); every part is ingested by the
caller's thread, in the file's order, each batch one transaction (`ingest.recording`) whose counters are written
once, after its last part.

A replay (on PostgreSQL) is not parsed: parsing is most of its time, and its rows change nothing. The thread reads
a batch without parsing it when the ids at the start of the file turn out recorded, or when the batches before were
mostly recorded; the caller's thread tells the recorded ids apart and parses only the other rows (`import_file`).
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import gc
import io
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import NamedTuple, cast

from django.conf import settings
from django.db import connection as db
from django.utils import timezone

from selfcare.errors import ErrorCode
from selfcare.usage.ingest import (
    COUNTRY,
    FIELDS,
    PROBES,
    DailyTotals,
    EventRow,
    IngestResult,
    NumberSums,
    PreparedBatch,
    Recording,
    Rejected,
    add_into,
    any_recorded,
    live_numbers,
    number_totals,
    prepare,
    recording,
    row_parser,
    unrecorded,
)


class FormatError(ValueError):
    """The file as a whole is not in the usage format (no rows of it were applied)."""


class _FileRows:
    """A usage file's rows after its header (checked here), each with the line it ends on; blank lines skipped."""

    def __init__(self, handle: io.TextIOWrapper, path: Path) -> None:
        self._reader = csv.reader(handle)
        header = next(self._reader, None)
        names = [h.strip().lower() for h in header] if header is not None else []
        if names not in (list(FIELDS), [*FIELDS, COUNTRY]):
            raise FormatError(
                f"{path}: the first line must be the header {','.join(FIELDS)} (optionally followed by ,{COUNTRY})"
            )
        self.width = len(names)

    def take(self, count: int) -> tuple[list[list[str]], list[int]]:
        """Up to `count` more rows as read, and their lines."""
        rows: list[list[str]] = []
        lines: list[int] = []
        if count <= 0:
            return rows, lines
        keep, mark, reader = rows.append, lines.append, self._reader
        for values in reader:
            if values:
                keep(values)
                mark(reader.line_num)
                if len(lines) == count:
                    break
        return rows, lines

    def parsed(
        self, count: int, parse: Callable[[Sequence[str], int], EventRow | Rejected]
    ) -> list[EventRow | Rejected]:
        """Up to `count` more rows, parsed (`row_parser`)."""
        batch: list[EventRow | Rejected] = []
        if count <= 0:
            return batch
        keep, reader, width = batch.append, self._reader, self.width
        for values in reader:
            if not values:
                continue
            # `_checked` written out: a call more per row would cost a new file a few per cent of its parsing.
            if len(values) != width:
                keep(Rejected(reader.line_num, values[0][:200], ErrorCode.USAGE_ROW_SHAPE))
            else:
                keep(parse(values, reader.line_num))
            if len(batch) == count:
                break
        return batch


def _checked(
    values: list[str], line: int, width: int, parse: Callable[[Sequence[str], int], EventRow | Rejected]
) -> EventRow | Rejected:
    if len(values) != width:  # a row as wide as the header, not as parse_row allows
        return Rejected(line, values[0][:200], ErrorCode.USAGE_ROW_SHAPE)
    return parse(values, line)


class _Unparsed(NamedTuple):
    """A batch read but not parsed, for it holds recorded ids (see `import_file`): the rows as wide as the header,
    their lines and their ids (stripped), and the rows rejected for their shape."""

    rows: list[list[str]]
    lines: list[int]
    keys: list[str]
    rejected: list[Rejected]


def _unparsed(rows: list[list[str]], lines: list[int], width: int) -> _Unparsed:
    """The rows read as an _Unparsed batch. Done over whole lists (map, set) rather than row by row: it is all of the
    parser's work on a replayed batch."""
    rejected: list[Rejected] = []
    if set(map(len, rows)) != {width}:
        shaped = [(values, line) for values, line in zip(rows, lines, strict=True) if len(values) == width]
        rejected = [
            Rejected(line, values[0][:200], ErrorCode.USAGE_ROW_SHAPE)
            for values, line in zip(rows, lines, strict=True)
            if len(values) != width
        ]
        rows, lines = [values for values, _line in shaped], [line for _values, line in shaped]
    return _Unparsed(rows, lines, list(map(str.strip, map(itemgetter(0), rows))), rejected)


def import_file(
    path: Path, *, batch_rows: int | None = None, progress: Callable[[int], None] | None = None
) -> IngestResult:
    """Import one file, batch by batch: each batch (`batch_rows`, USAGE_IMPORT_BATCH_ROWS) is one transaction, so an
    interrupted import leaves whole batches behind, and running it again records only what is missing (events are
    idempotent on their id). A batch is read and recorded in parts (`PART_ROWS`), its counters written once, after
    its last part (`ingest.recording`).

    On PostgreSQL a file's rows are not all parsed when many of its ids are recorded already (a replay, a rerun of
    an interrupted import): ids at the start of the first part are looked up (`any_recorded`) before it is parsed;
    when one is recorded, the part is only read, its ids are told apart by one anti-join (`unrecorded`), and only
    the rows whose id is not recorded (or not even valid), or whose number is no longer a live connection's, are
    parsed and ingested: the others are counted as already recorded, their other fields unchecked (they would
    change nothing). A later part is taken the way the last one turned out: read only while they are mostly
    recorded, parsed while they are mostly new."""
    result = IngestResult()
    now = timezone.now()
    rows = batch_rows or settings.USAGE_IMPORT_BATCH_ROWS
    postgresql = db.vendor == "postgresql"
    parse = row_parser(now)  # the caller's own: the parser thread has its own
    ahead = _parsed_ahead(
        path,
        batch_rows=rows,
        part_rows=min(PART_ROWS, rows),
        now=now,
        progress=progress,
        look_up=postgresql,
        copy_lines=postgresql,
    )
    with _collector_paused(), ahead as (parts, mode), contextlib.ExitStack() as open_batches:
        open_batch: Recording | None = None
        taken = 0
        for part in parts:
            if open_batch is None:
                open_batch = open_batches.enter_context(recording(now))
            if isinstance(part, _Unparsed):
                done = _add_unparsed(open_batch, part, parse)
                mode.unparsed = 2 * (len(part.rows) - done.duplicates) < len(part.rows)
            else:
                done = open_batch.add(part, looked_up=mode.looked_up_new)
                mode.looked_up_new = False
                mode.unparsed = postgresql and 2 * done.duplicates > done.received
            taken += done.received
            if taken >= rows:  # the batch's last part: its counters written and its transaction committed
                open_batches.close()
                result.add(open_batch.result)
                open_batch, taken = None, 0
        open_batches.close()
        if open_batch is not None:
            result.add(open_batch.result)
    return result


def _add_unparsed(
    open_batch: Recording, part: _Unparsed, parse: Callable[[Sequence[str], int], EventRow | Rejected]
) -> IngestResult:
    """Add to the batch the rows of an _Unparsed part whose id is not recorded, or whose number is not a live
    connection's (so that they are rejected as if the part were parsed whole); the rest count as already
    recorded."""
    rows, lines, keys = part.rows, part.lines, part.keys
    new = unrecorded(keys)
    sent = set(map(itemgetter(1), rows))
    gone = sent - live_numbers(sent)
    if new or gone:
        picked = [parse(rows[i], lines[i]) for i, key in enumerate(keys) if key in new or rows[i][1] in gone]
    else:
        picked = []
    # The new ids were just looked up: the part is taken for new without another look-up.
    return open_batch.add(prepare([*part.rejected, *picked]), looked_up=True, recorded_before=len(rows) - len(picked))


@dataclass
class _Mode:
    """How the parser thread takes the next batch, set by the caller's thread: read only (`unparsed`), or parsed;
    `looked_up_new`: the first batch's ids were looked up and none was recorded. Plain attributes shared by the two
    threads without a lock: `unparsed` is a hint (a batch taken the other way costs time, not counts), and
    `looked_up_new` is set before the first batch is handed over and read after."""

    unparsed: bool = False
    looked_up_new: bool = False


class _Read(NamedTuple):
    """How many bytes the parser has read, for `progress` (told by the caller's thread, in order)."""

    size: int


class _Failed(NamedTuple):
    """What stopped the parser (a FormatError, a file that cannot be read): raised in the caller's thread."""

    error: BaseException


class _LookUp(NamedTuple):
    """Ids at the start of the first batch, for the caller's thread to look up before the parser goes on."""

    keys: list[str]


# How many rows the parser thread hands over at a time: a batch of USAGE_IMPORT_BATCH_ROWS rows is recorded in parts
# of this size in its one transaction (`ingest.recording`), each part's events written while the next part is
# parsed; the first part is parsed while nothing else can be done, so a smaller part starts the database sooner,
# while each part costs its own look-ups and COPYs.
PART_ROWS = 100_000
# The file's first part is this share of PART_ROWS (`_parsed_ahead`), or the whole part if that is smaller: a file
# of small batches (tests, an operator's --batch-rows) is read a batch at a time from its first row.
FIRST_PART_SHARE = 10
_END = None
# How many rows at the start of a file are read before the rest, to look their ids up (`import_file`).
_LOOK_UP_ROWS = PROBES


@contextlib.contextmanager
def _parsed_ahead(
    path: Path,
    *,
    batch_rows: int,
    part_rows: int,
    now: datetime.datetime,
    progress: Callable[[int], None] | None,
    look_up: bool = False,
    copy_lines: bool = False,
) -> Iterator[tuple[Iterator[PreparedBatch | _Unparsed], _Mode]]:
    """The file's batches read in parts of `part_rows` rows (a batch's last part may be smaller, so that parts never
    straddle two batches) in a parser thread one part ahead of the caller: while the caller ingests a part, the
    next is read. At most one part waits read. An error of the parser reaches the caller when it asks for that part,
    after every part read before it; when the caller stops (an error while ingesting, or it had enough), the parser
    stops after the part it is on and the file is closed before this returns.

    A part is parsed, or only read (_Unparsed) while the _Mode yielded says so. With `look_up`, the first rows'
    ids are handed to the caller's thread (the only one that may use the database) and looked up before the first
    batch is read on, which sets the mode for it."""
    handoff: queue.SimpleQueue[PreparedBatch | _Unparsed | _Read | _Failed | _LookUp | None] = queue.SimpleQueue()
    answers: queue.SimpleQueue[bool | None] = queue.SimpleQueue()  # a look-up's answer; None: stop
    room = threading.Semaphore(1)  # taken by the parser for each batch, given back as the caller takes one
    stop = threading.Event()
    mode = _Mode()

    def read() -> None:
        try:
            with path.open("rb") as binary, io.TextIOWrapper(binary, encoding="utf-8", newline="") as handle:
                _read_in_large_chunks(handle)
                rows = _FileRows(handle, path)
                parse = row_parser(now)
                first = look_up
                left = batch_rows  # of the batch the next part belongs to
                # The file's first part is smaller: nothing else is done while it is parsed, so the database starts
                # on the file that much sooner; from the second on, a part is parsed while the one before is written.
                next_part = min(part_rows, max(PART_ROWS // FIRST_PART_SHARE, 1))
                # The daily sums of the batch's parts so far; None once a part came without them (read only).
                batch_sums: list[NumberSums] | None = []
                added: NumberSums = {}  # their sums added up as each part is handed over (`_add_up`)
                while True:
                    room.acquire()
                    if stop.is_set():
                        return
                    want = min(next_part, left)
                    start, lines = rows.take(min(_LOOK_UP_ROWS, want) if first else 0)
                    if first:
                        first = False
                        keys = [key for key in (values[0].strip() for values in start) if _probed(key)]
                        if keys:
                            handoff.put(_LookUp(keys))
                            answer = answers.get()
                            if answer is None:
                                return
                            mode.unparsed, mode.looked_up_new = answer, not answer
                    batch: PreparedBatch | _Unparsed
                    if mode.unparsed:
                        more, more_lines = rows.take(want - len(start))
                        batch = _unparsed(start + more, lines + more_lines, rows.width)
                        size = len(batch.rows) + len(batch.rejected)
                    else:
                        parsed = [
                            _checked(values, line, rows.width, parse) for values, line in zip(start, lines, strict=True)
                        ]
                        parsed += rows.parsed(want - len(parsed), parse)
                        size = len(parsed)
                        # PreparedBatch here too (ids told apart, COPY lines made): the caller's thread is then left
                        # with what needs the database, and this is done while it waits for the batch before.
                        batch = prepare(parsed, copy_lines=copy_lines)
                    if not size:
                        break
                    if size >= want:
                        handoff.put(_Read(binary.tell()))
                    if batch_sums is not None and isinstance(batch, PreparedBatch) and batch.sums is not None:
                        batch_sums.append(batch.sums)
                    else:
                        batch_sums = None
                    # The batch's last part (it is full, or the file ended inside it): its daily totals are added up
                    # from its parts' sums here, once the part is handed over, while the caller's thread COPYs it. (A
                    # file that ends where a part does has its last batch's added up by the caller's thread.)
                    totals: Future[DailyTotals] | None = None
                    if (size >= left or size < want) and batch_sums:
                        totals = Future()
                        batch = cast(PreparedBatch, batch)._replace(totals=totals)
                    handoff.put(batch)
                    if totals is not None and batch_sums is not None:
                        _add_up(totals, batch_sums, added)
                    elif batch_sums:
                        # Added up as the parts come, while the caller's thread COPYs the part before: the batch's
                        # last part then leaves only its own sums and the lines to make.
                        add_into(added, batch_sums[-1])
                    if size >= left or size < want:
                        batch_sums, added = [], {}
                    left = left - size or batch_rows
                    next_part = part_rows
            handoff.put(_Read(path.stat().st_size))
            handoff.put(_END)
        except BaseException as error:  # whatever it is, the caller's thread raises it
            handoff.put(_Failed(error))

    def batches() -> Iterator[PreparedBatch | _Unparsed]:
        while True:
            item = handoff.get()
            if isinstance(item, _Read):
                if progress:
                    progress(item.size)
            elif isinstance(item, _LookUp):
                answers.put(any_recorded(item.keys))
            elif isinstance(item, _Failed):
                raise item.error
            elif item is _END:
                return
            else:
                room.release()
                yield item

    parser = threading.Thread(target=read, name=f"usage-parser:{path.name}", daemon=True)
    parser.start()
    try:
        yield batches(), mode
    finally:
        stop.set()
        room.release()  # a parser waiting for room wakes, sees the stop and ends
        answers.put(None)  # and one waiting for a look-up's answer
        parser.join()


def _add_up(totals: Future[DailyTotals], parts: list[NumberSums], added: NumberSums) -> None:
    """Set `totals` to the daily totals of a batch's `parts`, the sums of all but the last `added` up already
    (`number_totals`), or to what stopped them: the caller's thread waits for them when the batch ends, so they are
    never left unset."""
    try:
        add_into(added, parts[-1])
        totals.set_result(number_totals(parts, added))
    except BaseException as error:
        totals.set_exception(error)
        raise


# How much of the file the parser thread reads and decodes at a time (`_read_in_large_chunks`).
TEXT_CHUNK = 1 << 20


def _read_in_large_chunks(handle: io.TextIOWrapper) -> None:
    """Have `handle` read the file TEXT_CHUNK bytes at a time, not 8 kB (its default): each read lets go of the
    interpreter lock and takes it back at once, and a thread that reads so often keeps the other threads from the
    lock, however short their work (measured: 5 ms of the caller's Python took 0.35-0.9 s while a file was read with
    csv in another thread, 16-21 ms with reads of 64 kB and more; before each part's COPY the caller's thread waited
    0.1-0.25 s). `_CHUNK_SIZE` is the attribute both of Python's implementations of TextIOWrapper read it from; it
    has no public setter."""
    handle._CHUNK_SIZE = TEXT_CHUNK  # type: ignore[attr-defined]


def _probed(key: str) -> bool:
    """Whether an id may be looked up as it is (an id that is not valid is not recorded, and NUL cannot be sent)."""
    return 0 < len(key) <= 200 and key.isprintable()


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a file is imported: a batch's hundreds of thousands of rows (tuples,
    strings, datetimes, none in a reference cycle) would otherwise set it off again and again to scan them all, a
    tenth to a third of the parsing time. The few cycles each batch's database work leaves wait for the end. Back on,
    as it was, when the import ends or fails."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
