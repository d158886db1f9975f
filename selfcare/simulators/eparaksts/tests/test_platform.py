"""The eParaksts simulator speaks the platform's OAuth 2.0 code flow and refuses what LVRTC would refuse."""

from __future__ import annotations

import base64
import re
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest
from django.test import Client, override_settings

AUTHORIZE = "/simulators/eparaksts/trustedx-authserver/oauth/lvrtc-eipsign-as"
ANSWER = f"{AUTHORIZE}/answer"
TOKEN = f"{AUTHORIZE}/token"
USERINFO = "/simulators/eparaksts/trustedx-resources/openid/v1/users/me"
REDIRECT_URI = "http://testserver/login/eparaksts/callback/"
MOBILE = "urn:eparaksts:authentication:flow:mobileid"
CARD = "urn:eparaksts:authentication:flow:sc_plugin"
SCAN = "urn:eparaksts:authentication:flow:mobile-eid"
ANNA = "15038512346"


def _basic(client_id: str = "selfcare-demo", secret: str = "demo-secret") -> str:  # noqa: S107 - the demo client
    pair = f"{quote(client_id, safe='')}:{quote(secret, safe='')}"
    return "Basic " + base64.b64encode(pair.encode()).decode()


def _authorize(client: Client, **overrides: str) -> Any:
    query = {
        "response_type": "code",
        "client_id": "selfcare-demo",
        "state": "the-state",
        "redirect_uri": REDIRECT_URI,
        "scope": "urn:lvrtc:fpeil:aa",
        "prompt": "login",
        "acr_values": MOBILE,
        "ui_locales": "en",
        **overrides,
    }
    return client.get(f"{AUTHORIZE}?{urlencode(query)}")


def _code(client: Client, *, acr: str = MOBILE, account: str = ANNA, redirect_uri: str = REDIRECT_URI) -> str:
    page = _authorize(client, acr_values=acr, redirect_uri=redirect_uri)
    assert page.status_code == 200, page.content
    request_id = re.search(r'name="request_id" value="([^"]+)"', page.content.decode())
    assert request_id is not None
    back = client.post(ANSWER, {"request_id": request_id[1], "account": account, "answer": "confirm"})
    query = parse_qs(urlsplit(back["Location"]).query)
    assert query["state"] == ["the-state"]
    return query["code"][0]


def _token(client: Client, code: str, *, redirect_uri: str = REDIRECT_URI, authorization: str | None = None) -> Any:
    return client.post(
        TOKEN,
        {"grant_type": "authorization_code", "redirect_uri": redirect_uri, "code": code},
        HTTP_AUTHORIZATION=authorization or _basic(),
    )


def _userinfo(client: Client, access_token: str) -> Any:
    return client.get(USERINFO, HTTP_AUTHORIZATION=f"Bearer {access_token}")


def _login(client: Client, acr: str = MOBILE, account: str = ANNA) -> dict[str, Any]:
    response = _token(client, _code(client, acr=acr, account=account))
    assert response.status_code == 200, response.content
    result: dict[str, Any] = _userinfo(client, response.json()["access_token"]).json()
    return result


@pytest.mark.parametrize(("acr", "title"), [(MOBILE, "eParaksts Mobile"), (CARD, "eID card"), (SCAN, "eID Scan")])
def test_the_authorize_page_is_titled_by_the_flow_and_lists_the_demo_persons(
    client: Client, acr: str, title: str
) -> None:
    page = _authorize(client, acr_values=acr).content.decode()
    assert f"<h1>{title}</h1>" in page
    assert "Anna Bērziņa (150385-12346)" in page
    assert "broken profile" in page


def test_the_userinfo_has_the_official_shape_with_a_different_sub_per_method(client: Client) -> None:
    mobile, card, scan = (_login(client, acr) for acr in (MOBILE, CARD, SCAN))
    assert mobile["serial_number"] == "PNOLV-150385-12346"
    assert (mobile["given_name"], mobile["family_name"], mobile["name"]) == ("ANNA", "BĒRZIŅA", "ANNA BĒRZIŅA")
    assert (mobile["domain"], mobile["acr"], card["acr"], scan["acr"]) == ("citizen", MOBILE, CARD, SCAN)
    assert mobile["amr"] == scan["amr"] != card["amr"]
    assert len({mobile["sub"], card["sub"], scan["sub"]}) == 3
    assert set(mobile) == {"sub", "domain", "acr", "amr", "given_name", "family_name", "name", "serial_number", "eips"}


def test_the_broken_profile_has_no_serial_number(client: Client) -> None:
    claims = _login(client, account="broken-profile")
    assert "serial_number" not in claims
    assert claims["sub"]


def test_cancel_sends_the_person_back_with_access_denied_and_the_state(client: Client) -> None:
    page = _authorize(client).content.decode()
    request_id = re.search(r'name="request_id" value="([^"]+)"', page)
    assert request_id is not None
    back = client.post(ANSWER, {"request_id": request_id[1], "answer": "cancel"})
    assert parse_qs(urlsplit(back["Location"]).query) == {"error": ["access_denied"], "state": ["the-state"]}


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://evil.example/login/eparaksts/callback/",
        "http://testserver/login/eparaksts/callback/?next=/x",
        "http://testserver/en/login/eparaksts/callback/",
        "http://testserver/other/",
    ],
)
def test_an_unregistered_redirect_uri_is_refused_without_a_redirect(client: Client, redirect_uri: str) -> None:
    response = _authorize(client, redirect_uri=redirect_uri)
    assert response.status_code == 400
    assert "Location" not in response


def test_a_configured_redirect_uri_must_match_exactly(client: Client, settings: Any) -> None:
    settings.EPARAKSTS_REDIRECT_URI = "https://mans.example.lv/login/eparaksts/callback/"
    assert _authorize(client, redirect_uri=REDIRECT_URI).status_code == 400
    assert _authorize(client, redirect_uri=settings.EPARAKSTS_REDIRECT_URI + "x").status_code == 400
    assert _authorize(client, redirect_uri=settings.EPARAKSTS_REDIRECT_URI).status_code == 200


def test_an_unknown_client_is_refused_without_a_redirect(client: Client) -> None:
    response = _authorize(client, client_id="someone-else")
    assert response.status_code == 400
    assert "Location" not in response


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"scope": "openid"}, "invalid_scope"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"acr_values": "urn:something:else"}, "invalid_request"),
    ],
)
def test_a_bad_request_for_a_registered_client_goes_back_with_an_error(
    client: Client, overrides: dict[str, str], error: str
) -> None:
    response = _authorize(client, **overrides)
    assert response.status_code == 302
    assert parse_qs(urlsplit(response["Location"]).query)["error"] == [error]


@pytest.mark.parametrize(
    "authorization",
    ["", _basic(secret="wrong"), _basic(client_id="someone-else"), "Basic not-base64!", "Bearer x"],
)
def test_the_token_endpoint_refuses_wrong_client_credentials(client: Client, authorization: str) -> None:
    code = _code(client)
    response = client.post(
        TOKEN,
        {"grant_type": "authorization_code", "redirect_uri": REDIRECT_URI, "code": code},
        headers={"Authorization": authorization} if authorization else None,
    )
    assert (response.status_code, response.json()) == (401, {"error": "invalid_client"})


def test_client_credentials_are_url_encoded_before_base64(client: Client, settings: Any) -> None:
    settings.EPARAKSTS_CLIENT_ID = "client:ā"
    settings.EPARAKSTS_CLIENT_SECRET = "s3cr:t/+%"
    response = _authorize(client, client_id="client:ā")
    request_id = re.search(r'name="request_id" value="([^"]+)"', response.content.decode())
    assert request_id is not None
    back = client.post(ANSWER, {"request_id": request_id[1], "account": ANNA, "answer": "confirm"})
    code = parse_qs(urlsplit(back["Location"]).query)["code"][0]
    assert _token(client, code, authorization=_basic("client:ā", "s3cr:t/+%")).status_code == 200


def test_the_redirect_uri_at_the_token_endpoint_must_be_the_authorize_one(client: Client) -> None:
    code = _code(client)
    response = _token(client, code, redirect_uri="http://localhost/login/eparaksts/callback/")
    assert (response.status_code, response.json()) == (400, {"error": "invalid_grant"})


def test_a_code_is_single_use_and_its_reuse_revokes_the_token_it_gave(client: Client) -> None:
    code = _code(client)
    access_token = _token(client, code).json()["access_token"]
    assert _userinfo(client, access_token).status_code == 200
    again = _token(client, code)
    assert (again.status_code, again.json()) == (400, {"error": "invalid_grant"})
    assert _userinfo(client, access_token).status_code == 401


def test_a_code_older_than_sixty_seconds_is_refused(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    code = _code(client)
    later = time.time() + 61
    monkeypatch.setattr("selfcare.simulators.eparaksts.views.time.time", lambda: later)
    assert _token(client, code).json() == {"error": "invalid_grant"}


def test_the_token_answer_is_a_bearer_token_without_refresh_token(client: Client) -> None:
    answer = _token(client, _code(client)).json()
    assert set(answer) == {"access_token", "token_type", "expires_in"}
    assert answer["token_type"] == "Bearer"


def test_the_userinfo_refuses_an_unknown_token(client: Client) -> None:
    assert _userinfo(client, "made-up").status_code == 401
    assert client.get(USERINFO).status_code == 401


def test_only_the_token_endpoint_is_exempt_from_csrf() -> None:
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(ANSWER, {"request_id": "x", "answer": "confirm"}).status_code == 403
    assert browser.post(TOKEN, {"grant_type": "authorization_code"}).status_code == 401


def test_every_simulator_view_answers_404_when_the_demo_is_off(client: Client) -> None:
    code = _code(client)
    with override_settings(SELFCARE_DEMO=False):
        responses = [
            _authorize(client),
            client.post(ANSWER, {"request_id": "x", "answer": "confirm"}),
            _token(client, code),
            _userinfo(client, "x"),
        ]
    assert [r.status_code for r in responses] == [404] * 4
