"""The token endpoint's own handling: answered outside the portal's page middlewares, the two grants handed straight
to oauthlib's grants, anything else to the library's view (selfcare/channels/oidc/routing.py, endpoint.py). The
protocol checks themselves are in test_oidc_conformance.py, which drives this path (urlencoded forms)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from selfcare.access.tests import factories as people
from selfcare.channels.tests import oidc

pytestmark = pytest.mark.django_db


@pytest.fixture
def tokens() -> dict[str, Any]:
    oidc.app()
    browser = Client()
    oidc.eid_session(browser, people.person("15038512346", "ANNA", "BĒRZIŅA"))
    pkce = oidc.Pkce.new()
    answer = oidc.exchange(Client(), oidc.code_from(browser, pkce), pkce)
    assert answer.status_code == 200, answer.content
    return dict(json.loads(answer.content))


def test_the_token_endpoint_skips_the_page_middlewares_but_keeps_the_security_headers(tokens: dict[str, Any]) -> None:
    answer = oidc.refresh(Client(), tokens["refresh_token"])
    assert answer.status_code == 200, answer.content
    assert answer["Cache-Control"] == "no-store"
    assert answer["X-Content-Type-Options"] == "nosniff"  # SecurityMiddleware, before the routing
    assert "Content-Security-Policy" not in answer  # a page's header, from a middleware after it
    assert not answer.cookies  # no session, no CSRF cookie


def test_the_token_endpoint_refuses_a_host_that_is_not_allowed(tokens: dict[str, Any]) -> None:
    answer = Client().post(
        "/oauth/token/",
        f"grant_type=refresh_token&client_id=test-app&refresh_token={tokens['refresh_token']}",
        content_type="application/x-www-form-urlencoded",
        HTTP_HOST="evil.example",
    )
    assert answer.status_code == 400
    assert oidc.refresh(Client(), tokens["refresh_token"]).status_code == 200  # not spent by the refused request


def test_a_multipart_token_request_still_gets_the_librarys_answer(tokens: dict[str, Any]) -> None:
    form = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "client_id": "test-app"}
    answer = Client().post("/oauth/token/", form)
    assert answer.status_code == 200, answer.content
    assert json.loads(answer.content)["refresh_token"] != tokens["refresh_token"]


def test_a_repeated_grant_type_gets_no_tokens(tokens: dict[str, Any]) -> None:
    answer = Client().post(
        "/oauth/token/",
        f"grant_type=refresh_token&grant_type=authorization_code&client_id=test-app&refresh_token={tokens['refresh_token']}",
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code == 400
    assert "access_token" not in json.loads(answer.content)


def test_a_token_request_with_a_query_string_gets_no_tokens(tokens: dict[str, Any]) -> None:
    answer = Client().post(
        "/oauth/token/?client_id=test-app",
        f"grant_type=refresh_token&client_id=test-app&refresh_token={tokens['refresh_token']}",
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code == 400
    assert "access_token" not in json.loads(answer.content)


def test_access_and_refresh_tokens_carry_256_random_bits(tokens: dict[str, Any]) -> None:
    import base64

    for name in ("access_token", "refresh_token"):
        raw = base64.urlsafe_b64decode(tokens[name] + "=")
        assert len(raw) == 32, name
    assert tokens["access_token"] != tokens["refresh_token"]
