"""Reading usage files in the documented CSV format (docs/usage-format.md) in batches for `ingest`.

Python's csv module does the quoting rules; this module checks the header and counts lines so a bad row is
reported with the line a person sees in an editor (the header is line 1).

`import_file` parses the next batch in a thread of its own while the current one is ingested: ingestion spends
most of a batch waiting for PostgreSQL (psycopg lets go of the GIL meanwhile), and parsing is pure Python that
needs no database, so the two overlap on two cores instead of taking turns. The thread never touches the database
(Django's connections are per thread: it would not see the caller's transaction); every batch is still ingested by
the caller's thread, one transaction each, in the file's order.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import gc
import io
import queue
import threading
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.utils import timezone

from selfcare.errors import ErrorCode
from selfcare.usage.ingest import COUNTRY, FIELDS, EventRow, IngestResult, Rejected, ingest, row_parser


class FormatError(ValueError):
    """The file as a whole is not in the usage format (no rows of it were applied)."""


def read_batches(
    path: Path, *, batch_rows: int, now: datetime.datetime, progress: Callable[[int], None] | None = None
) -> Generator[list[EventRow | Rejected], None, None]:
    """Parsed rows, `batch_rows` at a time; `progress` is told how many bytes were read so far."""
    with path.open("rb") as binary, io.TextIOWrapper(binary, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        names = [h.strip().lower() for h in header] if header is not None else []
        if names not in (list(FIELDS), [*FIELDS, COUNTRY]):
            raise FormatError(
                f"{path}: the first line must be the header {','.join(FIELDS)} (optionally followed by ,{COUNTRY})"
            )
        batch: list[EventRow | Rejected] = []
        parse = row_parser(now)
        width = len(names)
        for values in reader:
            if not values:
                continue
            if len(values) != width:  # a row as wide as the header, not as parse_row allows
                batch.append(Rejected(reader.line_num, values[0][:200], ErrorCode.USAGE_ROW_SHAPE))
                continue
            batch.append(parse(values, reader.line_num))
            if len(batch) >= batch_rows:
                if progress:
                    progress(binary.tell())
                yield batch
                batch = []
        if batch:
            yield batch
        if progress:
            progress(path.stat().st_size)


def import_file(
    path: Path, *, batch_rows: int | None = None, progress: Callable[[int], None] | None = None
) -> IngestResult:
    """Import one file, batch by batch: each batch is one transaction, so an interrupted import leaves whole
    batches behind, and running it again records only what is missing (events are idempotent on their id)."""
    result = IngestResult()
    now = timezone.now()
    rows = batch_rows or settings.USAGE_IMPORT_BATCH_ROWS
    with _collector_paused(), _parsed_ahead(path, batch_rows=rows, now=now, progress=progress) as batches:
        for batch in batches:
            result.add(ingest(batch, now=now))
    return result


class _Read(NamedTuple):
    """How many bytes the parser has read, for `progress` (told by the caller's thread, in order)."""

    size: int


class _Failed(NamedTuple):
    """What stopped the parser (a FormatError, a file that cannot be read): raised in the caller's thread."""

    error: BaseException


_END = None


@contextlib.contextmanager
def _parsed_ahead(
    path: Path, *, batch_rows: int, now: datetime.datetime, progress: Callable[[int], None] | None
) -> Iterator[Iterator[list[EventRow | Rejected]]]:
    """`read_batches` run in a parser thread one batch ahead of the caller: while the caller ingests a batch, the
    next is parsed. At most one batch waits parsed (two batches in memory, not one). An error of the parser
    reaches the caller when it asks for that batch, after every batch parsed before it; when the caller stops
    (an error while ingesting, or it had enough), the parser stops after the batch it is on and the file is
    closed before this returns."""
    handoff: queue.SimpleQueue[list[EventRow | Rejected] | _Read | _Failed | None] = queue.SimpleQueue()
    room = threading.Semaphore(1)  # taken by the parser for each batch, given back as the caller takes one
    stop = threading.Event()

    def parse() -> None:
        reader = read_batches(path, batch_rows=batch_rows, now=now, progress=lambda size: handoff.put(_Read(size)))
        try:
            while True:
                room.acquire()
                if stop.is_set():
                    return
                batch = next(reader, _END)
                handoff.put(batch)
                if batch is _END:
                    return
        except BaseException as error:  # whatever it is, the caller's thread raises it
            handoff.put(_Failed(error))
        finally:
            reader.close()

    def batches() -> Iterator[list[EventRow | Rejected]]:
        while True:
            item = handoff.get()
            if isinstance(item, _Read):
                if progress:
                    progress(item.size)
            elif isinstance(item, _Failed):
                raise item.error
            elif item is _END:
                return
            else:
                room.release()
                yield item

    parser = threading.Thread(target=parse, name=f"usage-parser:{path.name}", daemon=True)
    parser.start()
    try:
        yield batches()
    finally:
        stop.set()
        room.release()  # a parser waiting for room wakes, sees the stop and ends
        parser.join()


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
