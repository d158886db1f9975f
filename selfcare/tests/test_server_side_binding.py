"""With DATABASE_SERVER_SIDE_BINDING=true (settings.py), every statement of Django's binds its values on the server
on PostgreSQL, so a read the portal runs with ever other values is one text, prepared on its connection after five
runs and then neither parsed nor planned again (docs/performance.md). On by default since the read whose generic plan
made one large-company dashboard ten times slower is planned with its values at every run (selfcare.queries)."""

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
def test_by_default_the_portals_reads_bind_on_the_server_on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL's connections bind on the server")
    assert connection.settings_dict["OPTIONS"].get("server_side_binding") is True
    assert connection.settings_dict["OPTIONS"].get("prepare_threshold") == 5


SHOW_OPTIONS = (
    "import django; django.setup(); from django.db import connection as c; "
    "o = c.settings_dict['OPTIONS']; print(o.get('server_side_binding'), o.get('prepare_threshold'))"
)


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({}, "True 5"),
        ({"DATABASE_SERVER_SIDE_BINDING": "false"}, "None 5"),
        ({"DATABASE_PREPARED_STATEMENTS": "false"}, "None None"),
    ],
)
def test_server_side_binding_is_on_by_default_and_either_setting_turns_it_off(
    variables: dict[str, str], expected: str
) -> None:
    from selfcare.tests.subprocess_django import run_python

    result = run_python(SHOW_OPTIONS, DATABASE_URL="postgres://nobody@127.0.0.1:1/nothing", DEBUG="true", **variables)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == expected.split()
