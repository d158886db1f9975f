"""Smart-ID as SK recommends: the device link everywhere, the push login only in a browser the person used before.

These tests run with the production default (SMARTID_PUSH_FOR_EVERYONE off); the rest of the suite keeps push for
everyone (selfcare/conftest.py), as an operator may during a transition.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from selfcare.audit.models import AuditEvent
from selfcare.identity.models import DigitalIdentity
from selfcare.portal.tests.test_login_smartid import ANNA, _confirm_on_phone, _start, _wait_for_outcome
from selfcare.security.models import KnownDevice

pytestmark = pytest.mark.django_db(transaction=True)

FIELD = 'name="personal_code"'
REFUSAL = "In this browser, log in with the QR code or the link first."


@pytest.fixture(autouse=True)
def _production_default(settings: Any) -> None:
    settings.SMARTID_PUSH_FOR_EVERYONE = False


def _log_in_once_with_the_push_for_everyone(client: Client, live: str, settings: Any, code: str = ANNA) -> None:
    """A past login in this browser (made while push was for everyone): it leaves the known-device cookie."""
    settings.SMARTID_PUSH_FOR_EVERYONE = True
    _start(client, code)
    _confirm_on_phone(client, live, code)
    _wait_for_outcome(client)
    settings.SMARTID_PUSH_FOR_EVERYONE = False
    assert django_settings.DEVICE_COOKIE_NAME in client.cookies


def test_a_fresh_browser_is_offered_the_qr_code_and_the_link_and_no_personal_code_field(client: Client) -> None:
    html = client.get("/en/login/smart-id/").content.decode()
    assert "Show QR code" in html
    assert "Smart-ID app is on this phone" in html
    assert FIELD not in html


def test_a_push_login_posted_from_a_fresh_browser_is_refused_and_nothing_starts(
    client: Client, eid_simulators: str
) -> None:
    response = _start(client, ANNA)
    assert response.status_code == 400
    assert REFUSAL in response.content.decode()
    assert "smartid.pending" not in client.session


def test_a_browser_the_person_logged_in_from_offers_them_the_push_login(
    client: Client, eid_simulators: str, settings: Any
) -> None:
    _log_in_once_with_the_push_for_everyone(client, eid_simulators, settings)
    client.post("/en/logout/")
    assert FIELD in client.get("/en/login/smart-id/").content.decode()
    assert _start(client, ANNA)["Location"] == "/en/login/smart-id/wait/"


def test_a_known_browser_does_not_push_to_another_person(client: Client, eid_simulators: str, settings: Any) -> None:
    _log_in_once_with_the_push_for_everyone(client, eid_simulators, settings)
    client.post("/en/logout/")
    response = _start(client, "22079018761")  # Pēteris has never logged in from this browser
    assert response.status_code == 400
    assert REFUSAL in response.content.decode()


def test_a_forged_device_cookie_is_a_fresh_browser(client: Client) -> None:
    client.cookies[django_settings.DEVICE_COOKIE_NAME] = "made-up"
    assert FIELD not in client.get("/en/login/smart-id/").content.decode()


def test_forgetting_all_my_browsers_takes_the_push_login_away_from_each_and_is_audited(
    client: Client, eid_simulators: str, settings: Any
) -> None:
    _log_in_once_with_the_push_for_everyone(client, eid_simulators, settings)
    identity = DigitalIdentity.objects.get()
    assert "Forget all my browsers" in client.get("/en/me/security/").content.decode()

    response = client.post("/en/me/security/browsers/forget/", follow=True)

    assert "All your browsers are forgotten (1)." in response.content.decode()
    assert not KnownDevice.objects.filter(identity=identity).exists()
    assert AuditEvent.objects.filter(identity=identity, action="security:device:forget-all").exists()
    client.post("/en/logout/")
    assert FIELD not in client.get("/en/login/smart-id/").content.decode()


def test_forgetting_browsers_needs_a_login_and_a_post(client: Client) -> None:
    assert client.get("/en/me/security/browsers/forget/").status_code in (302, 405)
    assert client.post("/en/me/security/browsers/forget/")["Location"].startswith("/en/login/")


def test_the_operator_can_keep_the_push_login_for_everyone(client: Client, settings: Any) -> None:
    settings.SMARTID_PUSH_FOR_EVERYONE = True
    assert FIELD in client.get("/en/login/smart-id/").content.decode()
