"""Building usage rows for tests the way a mediation system would send them."""

from __future__ import annotations

import datetime

from django.utils import timezone

from selfcare.usage.ingest import IngestResult, ingest, parse_row

_counter = iter(range(1, 10**9))


def row(
    msisdn: str,
    quantity: int,
    started_at: datetime.datetime | str,
    *,
    kind: str = "data",
    zone: str = "domestic",
    key: str | None = None,
    country: str | None = None,
) -> list[str]:
    when = started_at if isinstance(started_at, str) else started_at.isoformat()
    values = [key or f"test:{next(_counter)}", msisdn, kind, zone, when, str(quantity)]
    return values if country is None else [*values, country]


def feed(*rows: list[str]) -> IngestResult:
    now = timezone.now()
    return ingest([parse_row(values, line, now=now) for line, values in enumerate(rows, start=2)], now=now)
