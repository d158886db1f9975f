"""PostgreSQL going away in the middle of a login, for real: the portal's connection runs through a TCP proxy
(selfcare/tests/faults.py) that the test cuts, the way a database restart or failover drops every connection and
refuses new ones for a while. The shared server itself is never touched.

Collected only when DATABASE_URL is PostgreSQL (see conftest.py). Each case ends cleanly: a translated 503, no
identity without its record, nobody logged in; when the proxy lets connections through again, Django opens a new
connection by itself (CONN_HEALTH_CHECKS) and the same login completes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import close_old_connections, connection
from django.test import Client
from django.utils import translation

from selfcare.errors import ErrorCode, message
from selfcare.identity.models import AuthenticationRecord, AuthResult, DigitalIdentity
from selfcare.simulators.testing import SimulatorsClient
from selfcare.tests.faults import TcpProxy

pytestmark = pytest.mark.django_db(transaction=True)

ANNA = "15038512346"


@pytest.fixture
def database_proxy() -> Iterator[TcpProxy]:
    """Every database connection of this process goes through the proxy while the test runs."""
    original = {key: connection.settings_dict[key] for key in ("HOST", "PORT")}
    with TcpProxy(original["HOST"] or "127.0.0.1", int(original["PORT"] or 5432)) as proxy:
        connection.close()
        connection.settings_dict.update({"HOST": "127.0.0.1", "PORT": proxy.port})
        try:
            yield proxy
        finally:
            proxy.restore()
            connection.close()
            connection.settings_dict.update(original)


def _confirmed_smart_id_login(client: Client) -> None:
    client.post("/en/login/smart-id/notification/", {"personal_code": ANNA})
    session_id = client.session["smartid.pending"]["session_id"]
    SimulatorsClient().post(f"/simulators/smartid/phone/{ANNA}/{session_id}/", {"answer": "confirm"})


def _assert_failed_cleanly(response: Any) -> None:
    assert response.status_code == 503
    with translation.override("en"):
        assert message(ErrorCode.SERVICE_UNAVAILABLE) in response.content.decode()


def _next_request_boundary() -> None:
    """What Django's handler does at every request's start and end, and the test client switches off: a connection
    that failed is closed, so the next query opens a new one (through the restored proxy)."""
    close_old_connections()


def _assert_nothing_half_done() -> None:
    _next_request_boundary()
    assert not DigitalIdentity.objects.exists()
    assert not AuthenticationRecord.objects.filter(result=AuthResult.SUCCESS).exists()


def _assert_completes(client: Client) -> None:
    response = client.post("/en/login/smart-id/status/")
    assert response["Location"] in ("/en/dashboard/", "/en/work-number/?first=1")
    assert client.session.get("_auth_user_id")
    identity = DigitalIdentity.objects.get()
    assert AuthenticationRecord.objects.get(result=AuthResult.SUCCESS).identity == identity


def test_the_database_restarting_while_the_person_waits_gives_a_clear_page_then_the_login_completes(
    eid_simulators: str, settings: Any, database_proxy: TcpProxy
) -> None:
    client = Client(raise_request_exception=False)
    _confirmed_smart_id_login(client)
    settings.DEBUG = False
    database_proxy.cut()
    _assert_failed_cleanly(client.post("/en/login/smart-id/status/"))
    database_proxy.restore()
    _assert_nothing_half_done()
    _assert_completes(client)


def test_the_connection_dropped_as_the_identity_is_written_leaves_no_half_created_identity(
    eid_simulators: str, settings: Any, database_proxy: TcpProxy
) -> None:
    client = Client(raise_request_exception=False)
    _confirmed_smart_id_login(client)
    settings.DEBUG = False
    cut: list[str] = []

    def cut_before_the_identity(execute: Callable[..., Any], sql: str, params: Any, many: bool, ctx: Any) -> Any:
        if not cut and sql.lstrip().upper().startswith("INSERT") and '"identity_nationalidentifier"' in sql:
            cut.append(sql)
            database_proxy.cut()  # the identity and its user are written; now the server goes away
        return execute(sql, params, many, ctx)

    with connection.execute_wrapper(cut_before_the_identity):
        _assert_failed_cleanly(client.post("/en/login/smart-id/status/"))
    assert cut
    database_proxy.restore()
    _assert_nothing_half_done()
    _assert_completes(client)


def test_a_usage_import_cut_off_by_a_real_restart_leaves_whole_batches_and_a_rerun_records_the_rest(
    database_proxy: TcpProxy, tmp_path: Any
) -> None:
    import io

    from django.core.management import CommandError, call_command

    from selfcare.customers.tests import factories
    from selfcare.usage.models import UsageEvent

    factories.connection(msisdn="+37125500001")
    path = tmp_path / "usage.csv"
    rows = [f"pgw1:cut:{n},+37125500001,data,domestic,2026-11-03T0{n}:15:00+02:00,1048576" for n in range(6)]
    path.write_text("event_id,msisdn,type,zone,started_at,quantity\n" + "\n".join(rows) + "\n", encoding="utf-8")
    lookups: list[str] = []

    def cut_at_the_second_batch(execute: Callable[..., Any], sql: str, params: Any, many: bool, ctx: Any) -> Any:
        # Each batch first looks up a few of its ids in the key table (ingest._any_recorded).
        if "usage_usageeventkey" in sql and sql.lstrip().upper().startswith("SELECT"):
            lookups.append(sql)
            if len(lookups) == 2:
                database_proxy.cut()
        return execute(sql, params, many, ctx)

    def run() -> None:
        call_command("usage", "import", "--no-progress", "--batch-rows", "2", str(path), stdout=io.StringIO())

    with connection.execute_wrapper(cut_at_the_second_batch), pytest.raises(CommandError, match="went away"):
        run()
    database_proxy.restore()
    _next_request_boundary()
    assert UsageEvent.objects.count() == 2
    run()
    assert sorted(UsageEvent.objects.values_list("source_key", flat=True)) == [f"pgw1:cut:{n}" for n in range(6)]
