"""The usage app's system checks."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from selfcare.usage import checks as usage_checks


@pytest.mark.django_db
def test_the_database_the_suite_runs_on_passes_the_version_check() -> None:
    # SQLite, or CI's PostgreSQL 15: nothing to say.
    assert usage_checks.postgresql_version(None, databases=["default"]) == []


def test_a_postgresql_older_than_15_is_refused_by_the_database_check(monkeypatch: pytest.MonkeyPatch) -> None:
    # The check's edge: a server of another version than this machine has.
    old = SimpleNamespace(vendor="postgresql", pg_version=140011)
    monkeypatch.setattr(usage_checks, "connections", {"default": old})
    errors = usage_checks.postgresql_version(None, databases=["default"])
    assert [error.id for error in errors] == ["usage.E001"]
    assert "PostgreSQL 14" in errors[0].msg
    assert usage_checks.postgresql_version(None, databases=None) == []
