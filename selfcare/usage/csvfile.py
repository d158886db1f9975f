"""Reading usage files in the documented CSV format (docs/usage-format.md) in batches for `ingest`.

Python's csv module does the quoting rules; this module checks the header and counts lines so a bad row is
reported with the line a person sees in an editor (the header is line 1).
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterator
from pathlib import Path

from django.utils import timezone

from selfcare.usage.ingest import FIELDS, EventRow, IngestResult, Rejected, ingest, parse_row


class FormatError(ValueError):
    """The file as a whole is not in the usage format (no rows of it were applied)."""


def read_batches(
    path: Path, *, batch_rows: int, now: datetime.datetime, progress: Callable[[int], None] | None = None
) -> Iterator[list[EventRow | Rejected]]:
    """Parsed rows, `batch_rows` at a time; `progress` is told how many bytes were read so far."""
    with path.open("rb") as binary, io.TextIOWrapper(binary, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or [h.strip().lower() for h in header] != list(FIELDS):
            raise FormatError(f"{path}: the first line must be the header {','.join(FIELDS)}")
        batch: list[EventRow | Rejected] = []
        for values in reader:
            if not values:
                continue
            batch.append(parse_row(values, reader.line_num, now=now))
            if len(batch) >= batch_rows:
                if progress:
                    progress(binary.tell())
                yield batch
                batch = []
        if batch:
            yield batch
        if progress:
            progress(path.stat().st_size)


def import_file(path: Path, *, batch_rows: int = 50000, progress: Callable[[int], None] | None = None) -> IngestResult:
    """Import one file, batch by batch: each batch is one transaction, so an interrupted import leaves whole
    batches behind, and running it again records only what is missing (events are idempotent on their id)."""
    result = IngestResult()
    now = timezone.now()
    for batch in read_batches(path, batch_rows=batch_rows, now=now, progress=progress):
        result.add(ingest(batch, now=now))
    return result
