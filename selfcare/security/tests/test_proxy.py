"""Behind our own proxies the client's address comes from X-Forwarded-For, counted from the right; what the
client itself put in the header is never believed."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from selfcare.access.tests import factories as people
from selfcare.audit.models import AuditEvent
from selfcare.security.proxy import forwarded_client
from selfcare.tests.subprocess_django import run_python


@pytest.mark.parametrize(
    ("header", "proxies", "expected"),
    [
        ("203.0.113.5", 1, "203.0.113.5"),
        ("6.6.6.6, 203.0.113.5", 1, "203.0.113.5"),  # the client's own claim on the left is ignored
        ("6.6.6.6, 203.0.113.5, 10.0.0.2", 2, "203.0.113.5"),
        ("2001:db8::1", 1, "2001:db8::1"),
        ("not-an-address", 1, None),
        ("203.0.113.5", 2, None),  # fewer hops than proxies: the header did not come through them
        ("203.0.113.5", 0, None),
    ],
)
def test_the_client_is_the_address_our_outermost_proxy_saw(header: str, proxies: int, expected: str | None) -> None:
    assert forwarded_client(header, proxies) == expected


@pytest.mark.django_db
def test_behind_a_proxy_each_client_has_its_own_rate_limit(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login-address": (1, 600)}
    proxy = "10.0.0.2"
    first = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.5")
    second = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert first.post("/en/login/seb/").status_code == 200
    assert second.post("/en/login/seb/").status_code == 200
    assert first.post("/en/login/seb/").status_code == 429


@pytest.mark.django_db
def test_without_trusted_proxies_the_header_is_ignored(settings: Any) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login-address": (1, 600)}
    client = Client(REMOTE_ADDR="192.0.2.9")
    assert client.post("/en/login/seb/", HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 200
    assert client.post("/en/login/seb/", HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 429


@pytest.mark.django_db
def test_the_audit_trail_records_the_client_behind_the_proxy_not_the_proxy(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    person = people.person("15038512346", "ANNA", "BĒRZIŅA")
    browser = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    browser.force_login(person.user)
    browser.post("/en/logout/")
    assert AuditEvent.objects.filter(ip_address="203.0.113.7").exists()
    assert not AuditEvent.objects.filter(ip_address__in=["10.0.0.2", "6.6.6.6"]).exists()


@pytest.mark.django_db
def test_behind_the_tls_proxy_a_request_it_forwarded_over_https_is_served_and_plain_http_is_sent_to_https(
    settings: Any,
) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    browser = Client()
    assert browser.get("/en/login/", HTTP_X_FORWARDED_PROTO="https").status_code == 200
    plain = browser.get("/en/login/")
    assert plain.status_code == 301
    assert plain["Location"].startswith("https://")


def test_behind_tls_proxy_names_the_header_the_proxy_sets_and_is_off_by_default() -> None:
    code = "import django; django.setup(); from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)"
    assert (
        run_python(code, DEBUG="true", BEHIND_TLS_PROXY="true").stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https')"
    )
    assert run_python(code, DEBUG="true").stdout.strip() == "None"
