"""The RP API answers bad requests as SK does: 400/401/404 problem documents, and a long poll."""

from __future__ import annotations

import base64
import time

import pytest
from django.test import Client, override_settings

from selfcare.identity.methods.smartid import protocol
from selfcare.simulators.smartid.tests.conftest import API, RelyingParty

NOTIFY_ANNA = f"{API}authentication/notification/etsi/PNOLV-150385-12346"
DEVICE_LINK = f"{API}authentication/device-link/anonymous"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _params(**changes: object) -> dict[str, object]:
    params: dict[str, object] = {
        "rpChallenge": _b64(b"x" * 64),
        "signatureAlgorithm": "rsassa-pss",
        "signatureAlgorithmParameters": {"hashAlgorithm": "SHA-512"},
    }
    params.update(changes)
    return params


BAD_NOTIFICATION_BODIES: dict[str, dict[str, object]] = {
    "nonce": {"nonce": "abc"},
    "unknown field": {"hash": "abc"},
    "callback in a notification": {"initialCallbackUrl": "https://example.lv/cb?x=1"},
    "wrong level": {"certificateLevel": "BASIC"},
    "wrong protocol": {"signatureProtocol": "ACSP_V1"},
    "no protocol parameters": {"signatureProtocolParameters": None},
    "short challenge": {"signatureProtocolParameters": _params(rpChallenge=_b64(b"x" * 31))},
    "long challenge": {"signatureProtocolParameters": _params(rpChallenge=_b64(b"x" * 65))},
    "challenge not base64": {"signatureProtocolParameters": _params(rpChallenge="not base64!")},
    "wrong algorithm": {"signatureProtocolParameters": _params(signatureAlgorithm="sha256WithRSAEncryption")},
    "wrong hash": {"signatureProtocolParameters": _params(signatureAlgorithmParameters={"hashAlgorithm": "MD5"})},
    "interactions not base64": {"interactions": "[{}]"},
    "no interactions": {"interactions": protocol.encode_interactions([])},
    "unknown interaction": {"interactions": protocol.encode_interactions([{"type": "sing"}])},
    "text too long": {
        "interactions": protocol.encode_interactions([{"type": "displayTextAndPIN", "displayText60": "x" * 61}])
    },
    "no vcType": {"vcType": None},
    "wrong vcType": {"vcType": "alphanumeric6"},
}


@pytest.mark.parametrize("changes", BAD_NOTIFICATION_BODIES.values(), ids=BAD_NOTIFICATION_BODIES.keys())
def test_a_notification_with_a_bad_body_is_refused_with_a_400_problem(
    rp: RelyingParty, changes: dict[str, object]
) -> None:
    body = {key: value for key, value in rp.body(notification=True, **changes).items() if value is not None}

    response = rp.client.post(NOTIFY_ANNA, body, content_type="application/json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400
    assert problem["detail"]


def test_a_body_that_is_not_json_is_refused_with_a_400_problem(client: Client) -> None:
    response = client.post(NOTIFY_ANNA, "{not json", content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "changes",
    [{"vcType": "numeric4"}, {"initialCallbackUrl": "https://portal.example.lv/cb?x=1|injected"}],
    ids=["vcType", "callback with the payload separator"],
)
def test_a_device_link_with_a_bad_body_is_refused_with_a_400_problem(
    rp: RelyingParty, changes: dict[str, object]
) -> None:
    response = rp.client.post(DEVICE_LINK, rp.body(notification=False, **changes), content_type="application/json")
    assert response.status_code == 400


def test_a_device_link_refuses_an_interaction_meant_for_notifications(rp: RelyingParty) -> None:
    interactions = protocol.encode_interactions(
        [{"type": "confirmationMessageAndVerificationCodeChoice", "displayText200": "Log in?"}]
    )
    body = rp.body(notification=False, interactions=interactions)
    assert rp.client.post(DEVICE_LINK, body, content_type="application/json").status_code == 400


@pytest.mark.parametrize(
    "changes",
    [{"relyingPartyUUID": "11111111-1111-4111-8111-111111111111"}, {"relyingPartyName": "Somebody else"}],
    ids=["uuid", "name"],
)
def test_an_unknown_relying_party_is_refused_with_a_401_problem(rp: RelyingParty, changes: dict[str, object]) -> None:
    for url, notification in ((NOTIFY_ANNA, True), (DEVICE_LINK, False)):
        response = rp.client.post(url, rp.body(notification=notification, **changes), content_type="application/json")
        assert response.status_code == 401
        assert response.json()["status"] == 401


def test_the_relying_party_can_be_configured(rp: RelyingParty) -> None:
    body = rp.body(notification=True, relyingPartyName="Mans Tele2")
    with override_settings(SMARTID_RP_NAME="Mans Tele2"):
        assert rp.client.post(NOTIFY_ANNA, body, content_type="application/json").status_code == 200
        demo = rp.body(notification=True)
        assert rp.client.post(NOTIFY_ANNA, demo, content_type="application/json").status_code == 401


def test_a_person_without_an_account_is_a_404_problem(rp: RelyingParty) -> None:
    url = f"{API}authentication/notification/etsi/PNOLV-161175-19997"
    response = rp.client.post(url, rp.body(notification=True), content_type="application/json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("identifier", ["PNOFI-30303039914", "PNOEE-303030-39914", "PNOLV-30303039914"])
def test_a_malformed_semantics_identifier_is_a_400_problem(rp: RelyingParty, identifier: str) -> None:
    url = f"{API}authentication/notification/etsi/{identifier}"
    assert rp.client.post(url, rp.body(notification=True), content_type="application/json").status_code == 400


def test_an_estonian_or_lithuanian_person_without_an_account_is_a_404_problem(rp: RelyingParty) -> None:
    for identifier in ("PNOEE-30303039914", "PNOLT-33309240064"):
        url = f"{API}authentication/notification/etsi/{identifier}"
        assert rp.client.post(url, rp.body(notification=True), content_type="application/json").status_code == 404


def test_an_unknown_session_is_a_404_problem(client: Client) -> None:
    response = client.get(f"{API}session/00000000-0000-4000-8000-000000000001", {"timeoutMs": 0})
    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_a_non_numeric_timeout_is_a_400_problem(rp: RelyingParty) -> None:
    session_id = rp.start_notification()
    assert rp.client.get(f"{API}session/{session_id}", {"timeoutMs": "soon"}).status_code == 400


def test_the_status_poll_waits_about_as_long_as_asked_while_the_session_runs(rp: RelyingParty) -> None:
    rp.start_notification()
    started = time.monotonic()
    assert rp.poll(timeout_ms=300) == {"state": "RUNNING"}
    assert 0.25 <= time.monotonic() - started < 2


def test_the_start_endpoints_accept_only_post(client: Client) -> None:
    assert client.get(NOTIFY_ANNA).status_code == 405
    assert client.get(DEVICE_LINK).status_code == 405


def test_the_api_needs_no_csrf_token_because_relying_parties_are_servers(rp: RelyingParty) -> None:
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(NOTIFY_ANNA, rp.body(notification=True), content_type="application/json")
    assert response.status_code == 200
