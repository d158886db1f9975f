"""On PostgreSQL every statement of Django's binds its values on the server (settings.py `server_side_binding`), so
a read the portal runs with ever other values is one text, prepared on its connection after five runs and then
neither parsed nor planned again: the database's CPU for a page was less than half (docs/performance.md)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import connection


@pytest.mark.django_db
def test_an_orm_read_with_other_values_each_time_is_one_prepared_statement() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL binds and prepares; SQLite has nothing to prepare")
    for number in range(8):
        assert not User.objects.filter(username=f"nobody-{number}").exists()

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans + custom_plans FROM pg_prepared_statements "
            """WHERE statement LIKE '%FROM "auth_user" WHERE "auth_user"."username" = $_ LIMIT 1'"""
        )
        executions = [row[0] for row in cursor.fetchall()]
    assert len(executions) == 1  # one statement for every value: the value is bound, not written into the text
    assert executions[0] >= 3  # the reads after the fifth ran from its prepared form
