"""Daily work on powers of attorney, run by the task system (selfcare/schedule.py): expiry, and the refresh of the
company representatives from the Register of Enterprises' export when its file is configured.

Both are idempotent: expiring twice expires nothing more, and loading the same export again changes nothing.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from selfcare.background.tasks import retrying_task
from selfcare.mandates.register import load_officers
from selfcare.mandates.services import expire_mandates


@retrying_task(attempts=3, backoff=300)
def expire_mandates_task() -> int:
    return expire_mandates()


@retrying_task(attempts=3, backoff=600, retry_on=(OSError,))
def refresh_register() -> str:
    """Reload representatives from `REGISTER_OFFICERS_FILE` (the operator's job fetches the export there)."""
    if not settings.REGISTER_OFFICERS_FILE:
        return "no REGISTER_OFFICERS_FILE configured"
    result = load_officers(Path(settings.REGISTER_OFFICERS_FILE).read_bytes())
    return f"{len(result.companies)} companies: {result.created} created, {result.updated} updated"
