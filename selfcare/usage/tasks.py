"""Usage work as background tasks: importing a usage file (idempotent by event id: a rerun after a worker died
records exactly the rest)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from selfcare.background.tasks import retrying_task
from selfcare.usage.csvfile import import_file


@retrying_task(attempts=3, backoff=60, retry_on=(OSError,))
def import_usage_file(path: str, batch_rows: int | None = None) -> dict[str, int]:
    result = import_file(Path(path), batch_rows=batch_rows or settings.USAGE_IMPORT_BATCH_ROWS)
    return {"recorded": result.recorded, "duplicates": result.duplicates, "rejected": len(result.rejected)}
