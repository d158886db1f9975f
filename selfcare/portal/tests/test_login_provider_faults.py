"""An eID provider that hangs or is down, at the start of a login and while the portal waits for the answer.

The faults are real sockets (selfcare/tests/faults.py): a server that accepts and never answers, and a port with
nothing listening. The portal's production HTTP clients meet them on the wire. Each case ends the same way: the
login page says the service is unavailable (translated), nobody is logged in, no identity is created, and the
AuthenticationRecord says why.

Already covered elsewhere: a Smart-ID API that refuses connections at start
(test_login_smartid.py::test_an_unreachable_provider_gives_a_clear_message_and_an_audit_record) and eParaksts
answering "temporarily_unavailable" or refusing our client (test_login_eparaksts.py). Banks make no server-to-server
call: a bank that is down never sends the person back, and an answer arriving after the nonce's window is refused
(test_login_banks.py::test_an_answer_arriving_after_the_freshness_window_is_refused).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import translation

from selfcare.errors import ErrorCode, message
from selfcare.identity.models import AuthenticationRecord, AuthResult, DigitalIdentity
from selfcare.simulators.testing import SimulatorsClient
from selfcare.tests.faults import closed_port, hanging_server

pytestmark = pytest.mark.django_db(transaction=True)

ANNA = "15038512346"
FAULTS = ("hangs", "is_down")


def _unavailable(language: str = "en") -> str:
    with translation.override(language):
        return message(ErrorCode.EID_UNAVAILABLE)


@pytest.fixture
def broken_provider(request: pytest.FixtureRequest) -> Iterator[tuple[str, str]]:
    """The address of a provider that hangs or is down, by the test's parameter, and the reason it must leave."""
    if request.param == "hangs":
        with hanging_server() as port:
            yield f"http://127.0.0.1:{port}", "provider_timeout"
    else:
        yield f"http://127.0.0.1:{closed_port()}", "provider_unreachable"


@pytest.fixture
def short_timeouts(settings: Any) -> None:
    """Timeouts short enough for a test; the code path is the production one."""
    settings.SMARTID_CONNECT_TIMEOUT = 0.5
    settings.SMARTID_POLL_TIMEOUT_MS = 200
    settings.EPARAKSTS_CONNECT_TIMEOUT = 0.5
    settings.EPARAKSTS_READ_TIMEOUT = 0.5


def _point_smartid_at(settings: Any, base: str) -> None:
    settings.SMARTID_API_URL = f"{base}/v3/"


def _nobody_logged_in(client: Client) -> None:
    assert not client.session.get("_auth_user_id")
    assert not DigitalIdentity.objects.exists()


@pytest.mark.parametrize("broken_provider", FAULTS, indirect=True)
def test_smart_id_failing_at_start_sends_the_person_back_with_the_unavailable_message(
    client: Client, settings: Any, short_timeouts: None, broken_provider: tuple[str, str]
) -> None:
    base, reason = broken_provider
    _point_smartid_at(settings, base)
    response = client.post("/en/login/smart-id/notification/", {"personal_code": ANNA})
    assert response["Location"] == "/en/login/smart-id/"
    assert _unavailable() in client.get(response["Location"]).content.decode()
    record = AuthenticationRecord.objects.get()
    assert (record.result, record.reason) == (AuthResult.UNAVAILABLE, reason)
    assert "smartid.pending" not in client.session
    _nobody_logged_in(client)


@pytest.mark.parametrize("broken_provider", FAULTS, indirect=True)
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_smart_id_failing_while_the_portal_polls_ends_the_wait_with_the_unavailable_message(
    client: Client,
    settings: Any,
    eid_simulators: str,
    short_timeouts: None,
    broken_provider: tuple[str, str],
    htmx: bool,
) -> None:
    client.post("/ru/login/smart-id/notification/", {"personal_code": ANNA})
    assert "smartid.pending" in client.session
    base, reason = broken_provider
    _point_smartid_at(settings, base)  # the provider goes away while the person looks at their phone
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post("/ru/login/smart-id/status/", headers=headers)
    target = response["HX-Redirect"] if htmx else response["Location"]
    assert target == "/ru/login/smart-id/"
    assert _unavailable("ru") in client.get(target).content.decode()
    record = AuthenticationRecord.objects.get()
    assert (record.result, record.reason, record.identity) == (AuthResult.UNAVAILABLE, reason, None)
    assert record.claimed_code_digest  # the attempt is tied to the code that was entered, hashed
    assert "smartid.pending" not in client.session
    _nobody_logged_in(client)


def _eparaksts_answer(client: Client) -> dict[str, str]:
    """Start an eParaksts Mobile login and confirm it at the (simulated) platform: the query it sends back."""
    authorize = urlsplit(client.post("/en/login/eparaksts-mobile/start/")["Location"])
    provider = SimulatorsClient()
    page = provider.get(f"{authorize.path}?{authorize.query}").content.decode()
    request_id = re.search(r'name="request_id" value="([^"]+)"', page)
    assert request_id is not None
    back = provider.post(
        "/simulators/eparaksts/trustedx-authserver/oauth/lvrtc-eipsign-as/answer",
        {"request_id": request_id[1], "account": ANNA, "answer": "confirm"},
    )
    return {key: values[0] for key, values in parse_qs(urlsplit(back["Location"]).query).items()}


@pytest.mark.parametrize("broken_provider", FAULTS, indirect=True)
def test_eparaksts_failing_when_the_portal_redeems_the_code_ends_the_login_as_unavailable(
    client: Client, settings: Any, eid_simulators: str, short_timeouts: None, broken_provider: tuple[str, str]
) -> None:
    query = _eparaksts_answer(client)
    base, reason = broken_provider
    settings.EPARAKSTS_URL = base  # the token endpoint goes away between the person's answer and ours
    response = client.get("/login/eparaksts/callback/", query)
    assert response["Location"] == "/en/login/eparaksts-mobile/"
    assert _unavailable() in client.get(response["Location"]).content.decode()
    record = AuthenticationRecord.objects.get()
    assert (record.method, record.result, record.reason) == ("eparaksts-mobile", AuthResult.UNAVAILABLE, reason)
    _nobody_logged_in(client)
