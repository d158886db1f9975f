"""Signing a power of attorney with Smart-ID by someone who did not log in with Smart-ID in this browser: the
wait page shows the QR code (new at every step of waiting), then, once the certificate is chosen in the app that
scanned it, the verification code of the linked signature request; the mandate is signed and active."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from selfcare.mandates.models import MandateStatus
from selfcare.portal.tests.test_mandate_signing_pages import LIGA, _scene, _wait_until
from selfcare.security.models import UserSession
from selfcare.security.sessions import SESSION_REGISTRY_ID
from selfcare.signing.tests.test_smartid_device_link_signing import _scan
from selfcare.signing.tests.test_smartid_signing import _answer_on_phone
from selfcare.simulators.testing import SimulatorsClient

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _device_link_first(settings: Any) -> None:
    settings.MANDATE_AUTO_ACTIVATE_VERIFIED = True
    settings.SMARTID_PUSH_FOR_EVERYONE = False  # the operator's transition setting off, as in production


def test_an_unknown_browser_gets_a_qr_code_then_the_code_of_the_linked_request_and_the_mandate_is_signed() -> None:
    client, mandate, url = _scene()
    assert client.post(f"{url}sign/", {"method": "smartid"})["Location"] == f"{url}sign/wait/"
    wait = client.get(f"{url}sign/wait/").content.decode()
    link = re.search(r'data-testid="smartid-qr" data-link="([^"]+)"', wait)
    assert link is not None, wait
    assert "verification-code" not in wait

    _scan(html.unescape(link.group(1)), LIGA)
    _wait_until(client, url, lambda r: b"verification-code" in client.get(f"{url}sign/wait/").content)
    code = re.search(r'data-testid="verification-code">(\d{4})<', client.get(f"{url}sign/wait/").content.decode())
    assert code is not None
    assert code.group(1) in _answer_on_phone(LIGA, "confirm")
    _wait_until(client, url, lambda r: r.status_code == 302 and r["Location"] == url)

    mandate.refresh_from_db()
    assert (mandate.status, mandate.verified) == (MandateStatus.ACTIVE, True)


def test_after_a_smartid_login_in_this_browser_the_request_goes_by_notification_with_its_code() -> None:
    client, mandate, url = _scene()
    assert mandate.created_by is not None
    row = UserSession.objects.create(
        identity=mandate.created_by, method="smartid", login_at=timezone.now(), last_seen_at=timezone.now()
    )
    session = client.session
    session[SESSION_REGISTRY_ID] = str(row.pk)
    session.save()

    client.post(f"{url}sign/", {"method": "smartid"})
    _wait_until(client, url, lambda r: b"verification-code" in client.get(f"{url}sign/wait/").content)

    assert b"smartid-qr" not in client.get(f"{url}sign/wait/").content


def _open_on_phone(link: str, account: str) -> str:
    """The Smart-ID app on the same phone opens the Web2App link and the person confirms; where it sends them."""
    app = SimulatorsClient(HTTP_ACCEPT_LANGUAGE="en")
    parts = urlsplit(link)
    page = app.get(f"{parts.path}?{parts.query}").content.decode()
    token = re.search(r'name="session_token" value="([^"]+)"', page)
    assert token is not None, page
    back = app.post(
        "/simulators/smartid/device-link/answer",
        {"session_token": token.group(1), "app_language": "en", "answer": "confirm", "account": account},
    )
    assert back.status_code == 302
    return str(back["Location"]).removeprefix("http://testserver")


def test_on_the_phone_itself_the_app_opens_by_web2app_returns_to_the_portal_and_the_signing_goes_on() -> None:
    client, mandate, url = _scene()
    client.post(f"{url}sign/", {"method": "smartid"})
    wait = client.get(f"{url}sign/wait/").content.decode()
    link = re.search(r'href="([^"]+)" data-testid="smartid-app-link"', wait)
    assert link is not None, wait
    assert "deviceLinkType=Web2App" in html.unescape(link.group(1))

    callback = _open_on_phone(html.unescape(link.group(1)), LIGA)
    assert callback.startswith("/signing/smart-id/callback/?value=")
    assert client.get(callback)["Location"] == f"{url}sign/wait/"
    _wait_until(client, url, lambda r: b"verification-code" in client.get(f"{url}sign/wait/").content)
    _answer_on_phone(LIGA, "confirm")
    _wait_until(client, url, lambda r: r.status_code == 302 and r["Location"] == url)

    mandate.refresh_from_db()
    assert (mandate.status, mandate.verified) == (MandateStatus.ACTIVE, True)


def test_a_web2app_return_whose_value_is_not_this_signings_ends_it_without_a_signature() -> None:
    client, mandate, url = _scene()
    client.post(f"{url}sign/", {"method": "smartid"})
    wait = client.get(f"{url}sign/wait/").content.decode()
    link = re.search(r'href="([^"]+)" data-testid="smartid-app-link"', wait)
    assert link is not None
    callback = _open_on_phone(html.unescape(link.group(1)), LIGA)

    forged = re.sub(r"value=[^&]+", "value=someone-elses", callback)
    response = client.get(forged)

    assert response["Location"] == url
    assert client.get(f"{url}sign/wait/")["Location"] == url  # the signing is over
    assert mandate.documents.count() == 0
