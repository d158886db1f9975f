"""With DATABASE_SERVER_SIDE_BINDING=true (settings.py), every statement of Django's binds its values on the server
on PostgreSQL, so a read the portal runs with ever other values is one text, prepared on its connection after five
runs and then neither parsed nor planned again (docs/performance.md). Off by default: a generic plan made one
large-company dashboard ten times slower."""

from __future__ import annotations

import copy

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections


@pytest.mark.django_db
def test_with_server_side_binding_a_read_with_other_values_each_time_is_one_prepared_statement() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL binds and prepares; SQLite has nothing to prepare")
    settings_dict = copy.deepcopy(connection.settings_dict)
    settings_dict["OPTIONS"] = {**settings_dict["OPTIONS"], "server_side_binding": True, "prepare_threshold": 5}
    bound = type(connections[DEFAULT_DB_ALIAS])(settings_dict)  # a second connection of its own
    try:
        with bound.cursor() as cursor:
            for number in range(8):
                cursor.execute('SELECT 1 FROM "auth_user" WHERE "auth_user"."username" = %s LIMIT 1', [f"x{number}"])
            cursor.execute(
                "SELECT generic_plans + custom_plans FROM pg_prepared_statements "
                """WHERE statement LIKE '%FROM "auth_user" WHERE "auth_user"."username" = $_ LIMIT 1'"""
            )
            executions = [row[0] for row in cursor.fetchall()]
    finally:
        bound.close()
    assert len(executions) == 1  # one statement for every value: the value is bound, not written into the text
    assert executions[0] >= 3  # the reads after the fifth ran from its prepared form


@pytest.mark.django_db
def test_by_default_the_portals_reads_bind_on_the_client() -> None:
    # The default keeps a statement's plan made with its values (see settings.py for why).
    assert not connection.settings_dict.get("OPTIONS", {}).get("server_side_binding", False)
