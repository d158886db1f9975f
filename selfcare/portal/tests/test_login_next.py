"""A login returns to the page that asked for it (the OpenID provider's authorization request), never elsewhere."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from selfcare.portal.login.next_page import SESSION_NEXT, after_login_url

pytestmark = pytest.mark.django_db


def test_the_login_page_remembers_a_path_on_this_site_to_return_to() -> None:
    client = Client()
    client.get("/login/", {"next": "/oauth/authorize/?client_id=app&state=x"})
    assert client.session[SESSION_NEXT] == "/oauth/authorize/?client_id=app&state=x"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "oauth/"])
def test_the_login_page_forgets_an_address_elsewhere(target: str) -> None:
    client = Client()
    client.get("/login/", {"next": "/oauth/authorize/"})
    client.get("/login/", {"next": target})
    assert SESSION_NEXT not in client.session


def test_after_the_login_the_remembered_page_is_used_once_then_the_dashboard() -> None:
    request = RequestFactory().get("/")
    request.session = {SESSION_NEXT: "/oauth/authorize/?a=1"}  # type: ignore[assignment]
    assert after_login_url(request) == "/oauth/authorize/?a=1"
    assert after_login_url(request) == "/dashboard/"
