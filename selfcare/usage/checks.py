"""The usage app's system checks (registered in apps.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core import checks
from django.db import connections

# The usage import adds to the daily totals with MERGE (ingest._add_daily_sums), which PostgreSQL has from 15 on.
MINIMUM_POSTGRESQL = 150000


def postgresql_version(
    app_configs: Any, databases: Iterable[str] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """An error for a PostgreSQL older than 15, so that `migrate` (which runs the database checks) refuses to deploy
    onto it rather than the first import of a day's second batch failing in production."""
    errors: list[checks.CheckMessage] = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        version: int = getattr(connection, "pg_version")  # noqa: B009 (PostgreSQL's wrapper only: not in its type)
        if version < MINIMUM_POSTGRESQL:
            errors.append(
                checks.Error(
                    f"The database {alias!r} is PostgreSQL {version // 10000}; the usage import needs "
                    "PostgreSQL 15 or newer (MERGE).",
                    hint="docs/deployment.md",
                    id="usage.E001",
                )
            )
    return errors
