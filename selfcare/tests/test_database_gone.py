"""The database going away in the middle of a login, on any database (SQLite included).

The fault is raised at the DB-API boundary: Django's `execute_wrapper` hook, around the real driver, raises the
OperationalError a dropped connection raises, at the moment the login writes a given table. That is the honest
equivalent on SQLite of a server going away (SQLite has no server to lose); on PostgreSQL the same story is also
played with a real cut connection (test_database_restart_postgres.py, collected only there).

Each case ends cleanly: a translated 503, no identity without its record (one transaction), nobody logged in, and
the next request, with the database back, completes the same login.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import OperationalError, connection
from django.test import Client
from django.utils import translation

from selfcare.errors import ErrorCode, message
from selfcare.identity.models import AuthenticationRecord, AuthResult, DigitalIdentity, NationalIdentifier
from selfcare.simulators.testing import SimulatorsClient

pytestmark = pytest.mark.django_db(transaction=True)

ANNA = "15038512346"


@contextmanager
def database_gone_at(table: str) -> Iterator[list[str]]:
    """From the first write to `table` on, every statement fails as on a connection the server dropped."""
    seen: list[str] = []

    def fail(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if seen or (sql.lstrip().upper().startswith("INSERT") and f'"{table}"' in sql):
            seen.append(sql)
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(fail):
        yield seen


def _confirmed_smart_id_login(client: Client) -> None:
    client.post("/en/login/smart-id/notification/", {"personal_code": ANNA})
    session_id = client.session["smartid.pending"]["session_id"]
    phone = SimulatorsClient()
    phone.post(f"/simulators/smartid/phone/{ANNA}/{session_id}/", {"answer": "confirm"})


@pytest.mark.parametrize(
    "table", ["auth_user", "identity_nationalidentifier", "identity_authenticationrecord", "django_session"]
)
def test_a_login_cut_off_by_the_database_fails_cleanly_and_completes_when_it_is_back(
    eid_simulators: str, settings: Any, table: str
) -> None:
    client = Client(raise_request_exception=False)
    _confirmed_smart_id_login(client)
    settings.DEBUG = False  # the production error path
    with database_gone_at(table) as failed:
        response = client.post("/en/login/smart-id/status/")
    assert failed, f"the login never wrote {table}"
    assert response.status_code == 503
    with translation.override("en"):
        assert message(ErrorCode.SERVICE_UNAVAILABLE) in response.content.decode()
    assert not DigitalIdentity.objects.exists()
    assert not get_user_model().objects.exists()
    assert not NationalIdentifier.objects.exists()
    assert not AuthenticationRecord.objects.filter(result=AuthResult.SUCCESS).exists()
    assert not client.session.get("_auth_user_id")

    # The database is back: the same waiting page goes on, and the login completes, exactly once.
    response = client.post("/en/login/smart-id/status/")
    assert response["Location"] in ("/en/dashboard/", "/en/work-number/?first=1")
    assert client.session.get("_auth_user_id")
    identity = DigitalIdentity.objects.get()
    assert AuthenticationRecord.objects.get(result=AuthResult.SUCCESS).identity == identity
