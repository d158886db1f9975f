"""Usage work as background tasks: importing a usage file (idempotent by event id: a rerun after a worker died
records exactly the rest), and the daily upkeep of the monthly event partitions."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from selfcare.background.tasks import retrying_task
from selfcare.usage.csvfile import import_file
from selfcare.usage.partitions import drop_expired_partitions, ensure_partitions
from selfcare.usage.summaries import refresh_stale


@retrying_task(attempts=3, backoff=60, retry_on=(OSError,))
def import_usage_file(path: str, batch_rows: int | None = None) -> dict[str, int]:
    result = import_file(Path(path), batch_rows=batch_rows or settings.USAGE_IMPORT_BATCH_ROWS)
    return {"recorded": result.recorded, "duplicates": result.duplicates, "rejected": len(result.rejected)}


@retrying_task(attempts=3, backoff=600)
def maintain_event_partitions() -> dict[str, list[str]]:
    """Daily on PostgreSQL: the coming months' partitions made, those past retention dropped (partitions.py)."""
    return {"created": ensure_partitions(), "dropped": drop_expired_partitions()}


@retrying_task(attempts=1, backoff=0)
def refresh_company_summaries() -> dict[str, int]:
    """Every minute: the company data summaries changed or aged since, summed again before a dashboard asks."""
    return {"refreshed": refresh_stale()}
