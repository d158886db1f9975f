"""Every Smart-ID outcome the simulator's special accounts produce: its message and its audit reason.

End results other than OK, SK's HTTP status codes at the start, and certificates whose status the portal learns
from the test PKI's OCSP responder (or the CRL): revoked, or not learnable at all.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from selfcare.errors import ErrorCode, message
from selfcare.identity.models import AuthenticationRecord, AuthResult, DigitalIdentity
from selfcare.simulators.testing import SimulatorsClient
from selfcare.tests.clock import at

pytestmark = pytest.mark.django_db(transaction=True)

ANNA = "15038512346"
REVOKED = "05128012346"


def _text(code: ErrorCode) -> str:
    with translation.override("en"):
        return message(code)


def _start(client: Client, code: str) -> Any:
    return client.post("/en/login/smart-id/notification/", {"personal_code": code})


def _outcome(client: Client, code: str) -> str:
    response = _start(client, code)
    if response["Location"] != "/en/login/smart-id/wait/":
        return client.get(response["Location"]).content.decode()
    for _ in range(20):
        response = client.post("/en/login/smart-id/status/")
        if response["Location"] != "/en/login/smart-id/wait/":
            return client.get(response["Location"], follow=True).content.decode()
    raise AssertionError("the login never ended")


def _confirm_then_outcome(client: Client, code: str) -> str:
    _start(client, code)
    session_id = client.session["smartid.pending"]["session_id"]
    SimulatorsClient().post(f"/simulators/smartid/phone/{code}/{session_id}/", {"answer": "confirm"})
    for _ in range(20):
        response = client.post("/en/login/smart-id/status/")
        if response["Location"] != "/en/login/smart-id/wait/":
            return client.get(response["Location"], follow=True).content.decode()
    raise AssertionError("the login never ended")


@pytest.mark.parametrize(
    ("code", "error", "result", "reason"),
    [
        ("06018512344", ErrorCode.EID_ACCOUNT_UNUSABLE, AuthResult.REFUSED, "document_unusable"),
        ("07039012343", ErrorCode.EID_ACCOUNT_UNUSABLE, AuthResult.REFUSED, "account_unusable"),
        ("08047512342", ErrorCode.EID_CANCELLED, AuthResult.CANCELLED, "user_refused_interaction"),
        ("09058812345", ErrorCode.EID_PROTOCOL_FAILURE, AuthResult.REFUSED, "protocol_failure"),
        ("10069212343", ErrorCode.EID_PROVIDER_ERROR, AuthResult.UNAVAILABLE, "server_error"),
        ("13028612344", ErrorCode.EID_CLIENT_OUTDATED, AuthResult.UNAVAILABLE, "client_outdated"),
        ("14039112340", ErrorCode.EID_MAINTENANCE, AuthResult.UNAVAILABLE, "maintenance"),
    ],
)
def test_each_end_result_and_status_code_ends_with_its_own_message_and_audited_reason(
    client: Client, eid_simulators: str, code: str, error: ErrorCode, result: AuthResult, reason: str
) -> None:
    page = _outcome(client, code)
    assert _text(error) in page
    record = AuthenticationRecord.objects.get()
    assert (record.result, record.reason, record.identity) == (result, reason, None)


def test_a_revoked_but_unexpired_certificate_is_refused_and_audited_as_revoked(
    client: Client, eid_simulators: str
) -> None:
    page = _confirm_then_outcome(client, REVOKED)
    assert _text(ErrorCode.EID_CERTIFICATE_REVOKED) in page
    record = AuthenticationRecord.objects.get()
    assert (record.result, record.reason) == (AuthResult.REFUSED, "revoked")
    assert not DigitalIdentity.objects.exists()


def test_with_the_ocsp_responder_down_the_crl_still_refuses_a_revoked_certificate(
    client: Client, eid_simulators: str, settings: Any
) -> None:
    settings.SIMULATOR_PKI_OCSP_DOWN = True
    assert _text(ErrorCode.EID_CERTIFICATE_REVOKED) in _confirm_then_outcome(client, REVOKED)


def test_when_no_revocation_status_can_be_had_the_login_is_refused_as_cannot_check_now(
    client: Client, eid_simulators: str, settings: Any
) -> None:
    settings.SIMULATOR_PKI_OCSP_DOWN = True
    settings.SIMULATOR_PKI_CRL_DOWN = True
    page = _confirm_then_outcome(client, ANNA)
    assert _text(ErrorCode.EID_REVOCATION_UNAVAILABLE) in page
    record = AuthenticationRecord.objects.get()
    assert (record.result, record.reason) == (AuthResult.UNAVAILABLE, "revocation_unavailable")
    assert not DigitalIdentity.objects.exists()


def test_only_an_explicit_soft_fail_setting_lets_a_login_through_without_a_revocation_status(
    client: Client, eid_simulators: str, settings: Any
) -> None:
    settings.SIMULATOR_PKI_OCSP_DOWN = True
    settings.SIMULATOR_PKI_CRL_DOWN = True
    settings.REVOCATION_MODE = "soft"
    _confirm_then_outcome(client, ANNA)
    assert AuthenticationRecord.objects.get().result == AuthResult.SUCCESS


def test_soft_fail_still_refuses_a_certificate_the_responder_calls_revoked(
    client: Client, eid_simulators: str, settings: Any
) -> None:
    settings.REVOCATION_MODE = "soft"
    page = _confirm_then_outcome(client, REVOKED)
    assert _text(ErrorCode.EID_CERTIFICATE_REVOKED) in page


@pytest.mark.parametrize(
    ("code", "reason"),
    [("01010110006", "no_account"), ("11078312340", "no_suitable_account"), ("12087712340", "check_app")],
    ids=["404", "471", "472"],
)
def test_no_account_one_of_the_wrong_level_and_an_app_that_needs_attention_all_look_like_an_unanswered_login(
    client: Client, eid_simulators: str, code: str, reason: str
) -> None:
    # Whoever types a personal code must not learn from the answer whether that person has a Smart-ID account
    # (PROTOCOLS.md §1.2): SK's 404, 471 and 472 at the start all wait like a real login and end as a timeout.
    started = time.time()
    assert _start(client, code)["Location"] == "/en/login/smart-id/wait/"
    assert client.post("/en/login/smart-id/status/")["Location"] == "/en/login/smart-id/wait/"
    with at(dt.datetime.fromtimestamp(started + 121, dt.UTC)):
        response = client.post("/en/login/smart-id/status/")
    assert response["Location"] == "/en/login/smart-id/"
    assert _text(ErrorCode.EID_TIMEOUT) in client.get(response["Location"]).content.decode()
    record = AuthenticationRecord.objects.get()
    assert (record.result, record.reason, record.identity) == (AuthResult.TIMEOUT, reason, None)
