"""Reading usage files in the documented CSV format (docs/usage-format.md) in batches for `ingest`.

Python's csv module does the quoting rules; this module checks the header and counts lines so a bad row is
reported with the line a person sees in an editor (the header is line 1).
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import gc
import io
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from selfcare.errors import ErrorCode
from selfcare.usage.ingest import COUNTRY, FIELDS, EventRow, IngestResult, Rejected, ingest, row_parser


class FormatError(ValueError):
    """The file as a whole is not in the usage format (no rows of it were applied)."""


def read_batches(
    path: Path, *, batch_rows: int, now: datetime.datetime, progress: Callable[[int], None] | None = None
) -> Iterator[list[EventRow | Rejected]]:
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
    with _collector_paused():
        for batch in read_batches(path, batch_rows=rows, now=now, progress=progress):
            result.add(ingest(batch, now=now))
    return result


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
