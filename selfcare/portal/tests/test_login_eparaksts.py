"""The eParaksts login pages against the simulator: the portal's production client talks HTTP to the live server,
the person's browser is a Django test client. Every outcome, its message and its audit record."""

from __future__ import annotations

import dataclasses
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import translation

from selfcare.errors import ErrorCode, message
from selfcare.identity.methods.base import VerifiedIdentity
from selfcare.identity.models import AuthenticationRecord, AuthResult, DigitalIdentity
from selfcare.identity.services import identity_for
from selfcare.simulators.testing import SimulatorsClient

pytestmark = pytest.mark.django_db(transaction=True)

ANNA = "15038512346"
METHODS = ("eparaksts-mobile", "eparaksts-card", "eid-scan")
ACR = {
    "eparaksts-mobile": "urn:eparaksts:authentication:flow:mobileid",
    "eparaksts-card": "urn:eparaksts:authentication:flow:sc_plugin",
    "eid-scan": "urn:eparaksts:authentication:flow:mobile-eid",
}
CALLBACK = "/login/eparaksts/callback/"


def _text(code: ErrorCode) -> str:
    with translation.override("en"):
        return message(code)


def _start(client: Client, method: str) -> str:
    """Press the method's button; the browser is sent to the platform's authorize URL."""
    assert client.get(f"/en/login/{method}/").status_code == 200
    response = client.post(f"/en/login/{method}/start/")
    assert response.status_code == 302
    return str(response["Location"])


def _answer_at_provider(authorize_url: str, *, account: str = ANNA, answer: str = "confirm") -> dict[str, str]:
    """The person on the platform's page: choose the account, confirm or cancel; the query sent back."""
    parts = urlsplit(authorize_url)
    provider = SimulatorsClient()
    page = provider.get(f"{parts.path}?{parts.query}")
    assert page.status_code == 200, page.content
    request_id = re.search(r'name="request_id" value="([^"]+)"', page.content.decode())
    assert request_id is not None
    back = provider.post(
        "/simulators/eparaksts/trustedx-authserver/oauth/lvrtc-eipsign-as/answer",
        {"request_id": request_id[1], "account": account, "answer": answer},
    )
    assert back.status_code == 302
    location = urlsplit(back["Location"])
    assert location.path == CALLBACK
    return {key: values[0] for key, values in parse_qs(location.query).items()}


def _callback(client: Client, query: dict[str, str]) -> Any:
    return client.get(CALLBACK, query)


def _logged_in(client: Client) -> bool:
    return bool(client.session.get("_auth_user_id"))


def _failure(client: Client, response: Any, *, page: str, text: str) -> AuthenticationRecord:
    assert response.status_code == 302
    assert response["Location"] == page
    assert text in client.get(page).content.decode()
    assert not _logged_in(client)
    assert not DigitalIdentity.objects.exists()
    return AuthenticationRecord.objects.get()


@pytest.mark.parametrize("method", METHODS)
def test_the_login_button_sends_the_person_to_the_platform_with_the_flow_scope_and_language(
    client: Client, eid_simulators: str, method: str
) -> None:
    url = urlsplit(_start(client, method))
    query = parse_qs(url.query)
    assert f"{url.scheme}://{url.netloc}{url.path}" == (
        f"{django_settings.SELFCARE_SIMULATORS_URL}/simulators/eparaksts/trustedx-authserver/oauth/lvrtc-eipsign-as"
    )
    assert query["response_type"] == ["code"]
    assert query["client_id"] == ["selfcare-demo"]
    assert query["scope"] == ["urn:lvrtc:fpeil:aa"]
    assert query["prompt"] == ["login"]
    assert query["acr_values"] == [ACR[method]]
    assert query["ui_locales"] == ["en"]
    assert query["redirect_uri"] == [f"http://testserver{CALLBACK}"]
    assert len(query["state"][0]) >= 32
    assert client.session["eparaksts.pending"]["state"] == query["state"][0]


def test_the_start_page_changes_nothing_and_a_get_cannot_start_a_login(client: Client, eid_simulators: str) -> None:
    assert client.get("/en/login/eid-scan/").status_code == 200
    assert client.get("/en/login/eid-scan/start/").status_code == 405
    assert "eparaksts.pending" not in client.session


@pytest.mark.parametrize("method", METHODS)
def test_a_confirmed_login_logs_the_person_in_with_a_new_session_and_is_audited(
    client: Client, eid_simulators: str, method: str
) -> None:
    query = _answer_at_provider(_start(client, method))
    before = client.session.session_key
    response = _callback(client, query)
    assert response.status_code == 302
    assert response["Location"] == "/en/dashboard/"
    assert client.session.session_key != before
    assert _logged_in(client)
    page = client.get("/en/me/").content.decode()
    assert "Anna Bērziņa" in page
    identity = DigitalIdentity.objects.get()
    assert (identity.given_name, identity.family_name) == ("Anna", "Bērziņa")
    record = AuthenticationRecord.objects.get()
    assert (record.identity, record.method, record.result) == (identity, method, AuthResult.SUCCESS)
    assert record.level == "high"


def test_every_method_finds_the_same_identity_a_smart_id_login_gives(client: Client, eid_simulators: str) -> None:
    smartid = identity_for(
        VerifiedIdentity("smartid", "LV", ANNA, "Anna", "Bērziņa", "qualified", {"certificate_sha256": "00"})
    )
    for method in METHODS:
        _callback(client, _answer_at_provider(_start(client, method)))
        assert client.get("/en/me/").context["identity"] == smartid
        client.post("/en/logout/")
    assert DigitalIdentity.objects.count() == 1
    assert list(AuthenticationRecord.objects.values_list("method", flat=True).order_by("occurred_at")) == list(METHODS)


def test_a_callback_with_another_state_is_refused(client: Client, eid_simulators: str) -> None:
    query = _answer_at_provider(_start(client, "eparaksts-mobile"))
    response = _callback(client, {**query, "state": "forged-" + query["state"]})
    record = _failure(client, response, page="/en/login/eparaksts-mobile/", text=_text(ErrorCode.EID_LOGIN_EXPIRED))
    assert (record.method, record.result, record.reason) == ("eparaksts-mobile", AuthResult.REFUSED, "state_mismatch")
    # The state was single use: even the right one does not work now.
    assert _callback(client, query)["Location"] == "/login/"


def test_a_callback_in_a_browser_that_did_not_start_the_login_is_refused(client: Client, eid_simulators: str) -> None:
    query = _answer_at_provider(_start(client, "eparaksts-card"))
    other_browser = Client()
    response = _callback(other_browser, query)
    assert response["Location"] == "/login/"
    assert not _logged_in(other_browser)
    record = AuthenticationRecord.objects.get()
    assert (record.method, record.result, record.reason) == ("eparaksts", AuthResult.REFUSED, "state_mismatch")
    assert not DigitalIdentity.objects.exists()


def test_a_login_older_than_the_state_limit_is_refused(client: Client, eid_simulators: str, settings: Any) -> None:
    query = _answer_at_provider(_start(client, "eid-scan"))
    settings.EPARAKSTS_STATE_MAX_AGE_SECONDS = 0
    record = _failure(
        client, _callback(client, query), page="/en/login/eid-scan/", text=_text(ErrorCode.EID_LOGIN_EXPIRED)
    )
    assert (record.result, record.reason) == (AuthResult.TIMEOUT, "state_expired")


def test_a_reused_code_is_refused_by_the_platform(client: Client, eid_simulators: str) -> None:
    first = _answer_at_provider(_start(client, "eparaksts-mobile"))
    _callback(client, first)
    client.post("/en/logout/")
    _start(client, "eparaksts-mobile")
    state = client.session["eparaksts.pending"]["state"]
    response = _callback(client, {"code": first["code"], "state": state})
    assert response["Location"] == "/en/login/eparaksts-mobile/"
    assert _text(ErrorCode.EID_REFUSED) in client.get(response["Location"]).content.decode()
    assert not _logged_in(client)
    record = AuthenticationRecord.objects.latest("occurred_at")
    assert (record.identity, record.result, record.reason) == (None, AuthResult.REFUSED, "invalid_grant")


def test_cancelling_at_the_platform_ends_the_login_as_cancelled(client: Client, eid_simulators: str) -> None:
    query = _answer_at_provider(_start(client, "eparaksts-card"), answer="cancel")
    assert query["error"] == "access_denied"
    assert "code" not in query
    record = _failure(
        client, _callback(client, query), page="/en/login/eparaksts-card/", text=_text(ErrorCode.EID_CANCELLED)
    )
    assert (record.method, record.result, record.reason) == ("eparaksts-card", AuthResult.CANCELLED, "access_denied")


@pytest.mark.parametrize(
    ("error", "result"), [("temporarily_unavailable", AuthResult.UNAVAILABLE), ("invalid_scope", AuthResult.REFUSED)]
)
def test_other_platform_errors_are_refused_or_unavailable_without_showing_their_text(
    client: Client, eid_simulators: str, error: str, result: AuthResult
) -> None:
    _start(client, "eid-scan")
    state = client.session["eparaksts.pending"]["state"]
    response = _callback(client, {"error": error, "error_description": "<b>raw provider text</b>", "state": state})
    record = _failure(client, response, page="/en/login/eid-scan/", text="")
    assert (record.result, record.reason) == (result, error)
    assert "raw provider text" not in client.get("/en/login/eid-scan/").content.decode()


def test_a_profile_without_a_personal_code_is_refused_whatever_its_sub(client: Client, eid_simulators: str) -> None:
    query = _answer_at_provider(_start(client, "eparaksts-mobile"), account="broken-profile")
    record = _failure(
        client,
        _callback(client, query),
        page="/en/login/eparaksts-mobile/",
        text=_text(ErrorCode.EID_NO_PERSONAL_CODE),
    )
    assert (record.result, record.reason) == (AuthResult.REFUSED, "no_personal_code")


def test_client_credentials_the_platform_refuses_end_the_login_as_unavailable(
    client: Client, eid_simulators: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from selfcare.identity.methods.eparaksts.config import eparaksts_config
    from selfcare.portal.login import eparaksts

    wrong = dataclasses.replace(eparaksts_config(), client_secret="not-the-secret")
    monkeypatch.setattr(eparaksts, "eparaksts_config", lambda: wrong)
    query = _answer_at_provider(_start(client, "eparaksts-mobile"))
    record = _failure(
        client, _callback(client, query), page="/en/login/eparaksts-mobile/", text=_text(ErrorCode.EID_UNAVAILABLE)
    )
    assert (record.result, record.reason) == (AuthResult.UNAVAILABLE, "invalid_client")


def test_the_page_language_comes_back_from_the_platform(client: Client, eid_simulators: str) -> None:
    client.get("/ru/login/eparaksts-mobile/")
    location = client.post("/ru/login/eparaksts-mobile/start/")["Location"]
    assert parse_qs(urlsplit(location).query)["ui_locales"] == ["ru"]
    assert _callback(client, _answer_at_provider(location))["Location"] == "/ru/dashboard/"
