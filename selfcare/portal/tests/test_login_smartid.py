"""The Smart-ID login pages against the simulator over real HTTP: every outcome, its message and its audit record."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from selfcare.errors import ErrorCode, message
from selfcare.identity.models import AuthenticationRecord, AuthResult, DigitalIdentity
from selfcare.identity.services import claimed_code_digest
from selfcare.simulators.testing import SimulatorsClient

pytestmark = pytest.mark.django_db(transaction=True)

ANNA = "15038512346"
REFUSES = "02078512348"
TIMES_OUT = "03097513578"
UNKNOWN_CA = "04118014706"
NOT_AT_SMART_ID = "12126710007"


def _text(code: ErrorCode) -> str:
    with translation.override("en"):
        return message(code)


def _start(client: Client, code: str) -> Any:
    return client.post("/en/login/smart-id/notification/", {"personal_code": code})


def _wait_for_outcome(client: Client, *, polls: int = 20) -> Any:
    for _ in range(polls):
        response = client.post("/en/login/smart-id/status/")
        if response["Location"] != "/en/login/smart-id/wait/":
            return client.get(response["Location"], follow=True)  # a person with no connections: the number step
    raise AssertionError("the login never ended")


def _confirm_on_phone(client: Client, live: str, code: str) -> None:
    session_id = client.session["smartid.pending"]["session_id"]
    phone = SimulatorsClient()
    phone.get(f"/simulators/smartid/phone/{code}/")
    response = phone.post(f"/simulators/smartid/phone/{code}/{session_id}/", {"answer": "confirm"})
    assert response.status_code in (200, 302)


def test_an_invalid_personal_code_is_refused_next_to_the_field_and_nothing_starts(
    client: Client, eid_simulators: str
) -> None:
    response = _start(client, "150385-12345")
    assert response.status_code == 400
    assert response.context["form"].errors["personal_code"] == [_text(ErrorCode.PERSONAL_CODE_CHECKSUM)]
    assert "smartid.pending" not in client.session


def test_a_confirmed_login_creates_the_identity_rotates_the_session_and_is_audited(
    client: Client, eid_simulators: str
) -> None:
    client.get("/en/login/smart-id/")
    _start(client, ANNA)
    before = client.session.session_key
    assert client.get("/en/login/smart-id/wait/").status_code == 200
    _confirm_on_phone(client, eid_simulators, ANNA)
    page = _wait_for_outcome(client)
    assert page.status_code == 200
    assert "Anna Bērziņa" in page.content.decode()
    assert client.session.session_key != before
    identity = DigitalIdentity.objects.get()
    record = AuthenticationRecord.objects.get()
    assert (record.identity, record.result, record.level, record.method) == (
        identity,
        AuthResult.SUCCESS,
        "qualified",
        "smartid",
    )
    assert len(record.certificate_fingerprint) == 64


@pytest.mark.parametrize(
    ("code", "error", "result"),
    [
        (REFUSES, ErrorCode.EID_CANCELLED, AuthResult.CANCELLED),
        (TIMES_OUT, ErrorCode.EID_TIMEOUT, AuthResult.TIMEOUT),
    ],
)
def test_a_refused_or_unanswered_request_ends_with_its_message_and_an_audit_record(
    client: Client, eid_simulators: str, settings: Any, code: str, error: ErrorCode, result: AuthResult
) -> None:
    settings.SMARTID_SIM_TIMEOUT_SECONDS = 0
    _start(client, code)
    page = _wait_for_outcome(client)
    assert _text(error) in page.content.decode()
    record = AuthenticationRecord.objects.get()
    assert (record.result, record.identity) == (result, None)
    assert record.claimed_code_digest == claimed_code_digest(code)
    assert not DigitalIdentity.objects.exists()


def test_a_certificate_from_an_unknown_ca_is_refused(client: Client, eid_simulators: str) -> None:
    _start(client, UNKNOWN_CA)
    _confirm_on_phone(client, eid_simulators, UNKNOWN_CA)
    page = _wait_for_outcome(client)
    assert _text(ErrorCode.EID_REFUSED) in page.content.decode()
    assert AuthenticationRecord.objects.get().reason == "untrusted_chain"
    assert not client.session.get("_auth_user_id")


def test_a_person_without_smart_id_sees_the_same_waiting_page_and_the_same_timeout(
    client: Client, eid_simulators: str, settings: Any
) -> None:
    """No enumeration: the page never says whether the code has a Smart-ID account."""

    settings.SMARTID_SESSION_TIMEOUT_SECONDS = 1
    response = _start(client, NOT_AT_SMART_ID)
    assert response["Location"] == "/en/login/smart-id/wait/"
    waiting = client.get("/en/login/smart-id/wait/").content.decode()
    assert 'data-testid="verification-code"' in waiting
    page = _wait_for_outcome(client)
    assert _text(ErrorCode.EID_TIMEOUT) in page.content.decode()


def test_an_unreachable_provider_gives_a_clear_message_and_an_audit_record(client: Client, settings: Any) -> None:
    settings.SMARTID_API_URL = "http://127.0.0.1:9/v3/"
    page = client.get(_start(client, ANNA)["Location"])
    assert _text(ErrorCode.EID_UNAVAILABLE) in page.content.decode()
    assert AuthenticationRecord.objects.get().result == AuthResult.UNAVAILABLE


def test_cancelling_on_the_portal_ends_the_attempt_and_is_recorded(client: Client, eid_simulators: str) -> None:
    _start(client, ANNA)
    client.post("/en/login/smart-id/cancel/")
    assert "smartid.pending" not in client.session
    assert AuthenticationRecord.objects.get().result == AuthResult.CANCELLED
    assert client.get("/en/login/smart-id/wait/")["Location"] == "/en/login/smart-id/"


def test_a_web2app_callback_with_a_foreign_value_logs_no_one_in(client: Client, eid_simulators: str) -> None:
    client.post("/en/login/smart-id/device-link/", {"same_device": "1"})
    response = client.get(
        "/en/login/smart-id/callback/", {"value": "guessed", "sessionSecretDigest": "x", "userChallengeVerifier": "y"}
    )
    assert response["Location"] == "/en/login/smart-id/"
    assert AuthenticationRecord.objects.get().reason == "callback_value"
    assert not client.session.get("_auth_user_id")


def test_the_status_step_cannot_be_triggered_by_a_get(client: Client, eid_simulators: str) -> None:
    _start(client, ANNA)
    assert client.get("/en/login/smart-id/status/").status_code == 405
