"""The eParaksts client in-process (httpx MockTransport): what it sends, and what it believes of the answers."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from django.core.exceptions import ImproperlyConfigured

from selfcare.identity.methods.base import BadResponse, EidError, Refused, Unavailable
from selfcare.identity.methods.eparaksts.client import EparakstsClient, level_from_acr, verified_identity
from selfcare.identity.methods.eparaksts.config import EparakstsConfig, eparaksts_config

OFFICIAL_EXAMPLE = {
    "sub": "ddf12735f35675ecb652e6e1a80e41f1",
    "domain": "citizen",
    "acr": "urn:safelayer:tws:policies:authentication:level:high",
    "amr": ["urn:eparaksts:tws:policies:authentication:adaptive:methods:sc_plugin"],
    "given_name": "ANDRIS",
    "family_name": "PARAUDZIŠ",
    "name": "ANDRIS PARAUDZIŠ",
    "serial_number": "PNOLV-010180-15097",
    "eips": 'VAS "Latvijas Valsts radio un televīzijas centrs"',
}


def _config(**overrides: Any) -> EparakstsConfig:
    values: dict[str, Any] = {
        "url": "https://eidas-demo.eparaksts.lv",
        "client_id": "client:ā",
        "client_secret": "p@ss:w/rd",
        "redirect_uri": "https://mans.example.lv/login/eparaksts/callback/",
        "acr": {"eparaksts-mobile": "urn:eparaksts:authentication:flow:mobileid"},
        "connect_timeout": 1.0,
        "read_timeout": 1.0,
        "state_max_age_s": 600,
    }
    return EparakstsConfig(**{**values, **overrides})


def _client(handler: Any) -> EparakstsClient:
    return EparakstsClient(_config(), transport=httpx.MockTransport(handler))


def _platform(token: httpx.Response, userinfo: httpx.Response, seen: list[httpx.Request]) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return token if request.url.path.endswith("/token") else userinfo

    return handler


def test_the_code_exchange_and_userinfo_follow_the_platform_formulas() -> None:
    seen: list[httpx.Request] = []
    token = httpx.Response(200, json={"access_token": "t0k", "token_type": "Bearer", "expires_in": 600})
    client = _client(_platform(token, httpx.Response(200, json=OFFICIAL_EXAMPLE), seen))
    verified = client.complete(method="eparaksts-card", code="the-code", redirect_uri="https://x/cb/")
    exchange, userinfo = seen
    assert str(exchange.url) == "https://eidas-demo.eparaksts.lv/trustedx-authserver/oauth/lvrtc-eipsign-as/token"
    pair = base64.b64decode(exchange.headers["Authorization"].removeprefix("Basic ")).decode()
    assert pair == "client%3A%C4%81:p%40ss%3Aw%2Frd"
    assert parse_qs(exchange.content.decode()) == {
        "grant_type": ["authorization_code"],
        "redirect_uri": ["https://x/cb/"],
        "code": ["the-code"],
    }
    assert str(userinfo.url) == "https://eidas-demo.eparaksts.lv/trustedx-resources/openid/v1/users/me"
    assert userinfo.headers["Authorization"] == "Bearer t0k"
    assert (verified.method, verified.country, verified.personal_code) == ("eparaksts-card", "LV", "01018015097")
    assert (verified.given_name, verified.family_name, verified.level) == ("Andris", "Paraudziš", "high")
    assert verified.evidence["sub"] == OFFICIAL_EXAMPLE["sub"]


def test_the_authorize_url_carries_every_parameter() -> None:
    url = _client(lambda r: httpx.Response(500)).authorize_url(
        method="eparaksts-mobile", state="s t", redirect_uri="https://x/cb/", ui_locale="de"
    )
    base, _, query = url.partition("?")
    assert base == "https://eidas-demo.eparaksts.lv/trustedx-authserver/oauth/lvrtc-eipsign-as"
    assert parse_qs(query) == {
        "response_type": ["code"],
        "client_id": ["client:ā"],
        "state": ["s t"],
        "redirect_uri": ["https://x/cb/"],
        "scope": ["urn:lvrtc:fpeil:aa"],
        "prompt": ["login"],
        "acr_values": ["urn:eparaksts:authentication:flow:mobileid"],
        "ui_locales": ["lv"],
    }


@pytest.mark.parametrize(
    ("status", "body", "error", "reason"),
    [
        (400, {"error": "invalid_grant"}, Refused, "invalid_grant"),
        (400, {"error": "invalid_client"}, Unavailable, "invalid_client"),
        (401, {"error": "invalid_client"}, Unavailable, "invalid_client"),
        (503, {}, Unavailable, "http_503"),
        (200, {"token_type": "Bearer"}, BadResponse, "missing_access_token"),
        (200, {"access_token": "x", "token_type": "mac"}, BadResponse, "token_type"),
    ],
)
def test_token_answers_become_eid_errors(status: int, body: dict[str, str], error: type[EidError], reason: str) -> None:
    seen: list[httpx.Request] = []
    client = _client(_platform(httpx.Response(status, json=body), httpx.Response(500), seen))
    with pytest.raises(error) as raised:
        client.complete(method="eparaksts-mobile", code="c", redirect_uri="https://x/cb/")
    assert raised.value.reason == reason


def test_a_network_failure_is_unavailable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    with pytest.raises(Unavailable):
        _client(handler).complete(method="eparaksts-mobile", code="c", redirect_uri="https://x/cb/")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"serial_number": None}, "no_personal_code"),
        ({"serial_number": ""}, "no_personal_code"),
        ({"serial_number": "PNOEE-38001085718"}, "unsupported_identity"),
        ({"serial_number": "01018015097"}, "unsupported_identity"),
        ({"serial_number": "PNOLV-010180-15098"}, "bad_personal_code"),
        ({"given_name": None}, "missing_fields"),
    ],
)
def test_the_person_comes_only_from_a_valid_latvian_serial_number(change: dict[str, Any], reason: str) -> None:
    userinfo = {k: v for k, v in {**OFFICIAL_EXAMPLE, **change}.items() if v is not None}
    with pytest.raises(Refused) as raised:
        verified_identity("eid-scan", userinfo)
    assert raised.value.reason == reason


def test_a_sub_that_looks_like_a_personal_code_is_never_used() -> None:
    userinfo = {**OFFICIAL_EXAMPLE, "sub": "PNOLV-150385-12346"}
    assert verified_identity("eid-scan", userinfo).personal_code == "01018015097"


@pytest.mark.parametrize(
    ("acr", "level"),
    [
        ("urn:safelayer:tws:policies:authentication:level:high", "high"),
        ("urn:safelayer:tws:policies:authentication:level:substantial", "substantial"),
        ("urn:eparaksts:authentication:flow:mobileid", "high"),
        (None, "high"),
    ],
)
def test_the_level_comes_from_the_acr(acr: object, level: str) -> None:
    assert level_from_acr(acr) == level


def test_outside_the_demo_the_configuration_names_every_problem(settings: Any) -> None:
    settings.SELFCARE_DEMO = False
    settings.EPARAKSTS_URL = "http://eidas.eparaksts.lv"
    settings.EPARAKSTS_CLIENT_ID = ""
    settings.EPARAKSTS_CLIENT_SECRET = ""
    settings.EPARAKSTS_REDIRECT_URI = ""
    with pytest.raises(ImproperlyConfigured) as raised:
        eparaksts_config()
    text = str(raised.value)
    for name in ("https://", "EPARAKSTS_CLIENT_ID", "EPARAKSTS_CLIENT_SECRET", "EPARAKSTS_REDIRECT_URI"):
        assert name in text


def test_the_demo_configuration_points_at_the_simulator_service(settings: Any) -> None:
    settings.SELFCARE_DEMO = True
    settings.SELFCARE_SIMULATORS_URL = "http://127.0.0.1:8001"
    settings.EPARAKSTS_URL = ""
    config = eparaksts_config()
    assert (
        config.token_url
        == "http://127.0.0.1:8001/simulators/eparaksts/trustedx-authserver/oauth/lvrtc-eipsign-as/token"
    )
    assert (config.client_id, config.redirect_uri) == ("selfcare-demo", "")
    assert config.acr["eid-scan"] == "urn:eparaksts:authentication:flow:mobile-eid"
