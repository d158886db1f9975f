"""Signing a power of attorney with eParaksts on the portal's pages: the person chooses the method (the one they
logged in with comes first), goes to the platform twice (their signing identity, then their consent to the digest)
and is back on the mandate, signed and active; a cancel there, a method not offered, a return without a signing and
a return page opened by someone else end without a signature."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.html import escape

from selfcare.access.tests import factories as people
from selfcare.customers.tests import factories
from selfcare.errors import ErrorCode, message
from selfcare.mandates.models import MandateStatus
from selfcare.mandates.signatures import validate_document
from selfcare.mandates.signing import signing_methods
from selfcare.portal.tests.test_mandate_signing_pages import LIGA, _scene
from selfcare.security.models import UserSession
from selfcare.security.sessions import SESSION_REGISTRY_ID
from selfcare.simulators.testing import SimulatorsClient

pytestmark = pytest.mark.django_db(transaction=True)

CALLBACK = "http://testserver/signing/eparaksts/callback/"


@pytest.fixture(autouse=True)
def _auto_activate(settings: Any) -> None:
    settings.MANDATE_AUTO_ACTIVATE_VERIFIED = True


def _on_platform(url: str, answer: str = "confirm", account: str = LIGA) -> str:
    """The person on the platform's page: confirm (as ``account`` where asked) or cancel; where the browser goes."""
    platform = SimulatorsClient(HTTP_ACCEPT_LANGUAGE="en")
    parts = urlsplit(url)
    html = platform.get(f"{parts.path}?{parts.query}").content.decode()
    request_id = re.search(r'name="request_id" value="([^"]+)"', html)
    assert request_id is not None, html
    back = platform.post(
        "/simulators/eparaksts/trustedx-authserver/oauth/lvrtc-eipsign-as/answer",
        {"request_id": request_id.group(1), "answer": answer, "account": account},
    )
    assert back["Location"].startswith(CALLBACK)
    return str(back["Location"]).removeprefix("http://testserver")


def _back_in_portal(client: Client, callback: str) -> str:
    """The callback passes the browser on to the mandate's return page, which answers with where to go next."""
    to_return = client.get(callback)
    assert to_return.status_code == 302
    assert "/sign/return/?" in to_return["Location"]
    response = client.get(to_return["Location"])
    assert response.status_code == 302
    return str(response["Location"])


def test_a_representative_signs_with_eparaksts_and_the_mandate_is_active() -> None:
    client, mandate, url = _scene()
    assert 'data-testid="sign-eparaksts"' in client.get(url).content.decode()

    to_platform = client.post(f"{url}sign/", {"method": "eparaksts"})["Location"]
    to_consent = _back_in_portal(client, _on_platform(to_platform))
    assert "digests_summary=" in to_consent
    back = _back_in_portal(client, _on_platform(to_consent))

    assert back == url
    mandate.refresh_from_db()
    assert (mandate.status, mandate.verified) == (MandateStatus.ACTIVE, True)
    assert "Your signature was added" in client.get(url).content.decode()
    document = mandate.documents.get()
    report = validate_document(client.get(f"{url}documents/{document.pk}/").content)
    assert report.valid, report
    assert [s.personal_code for s in report.signers] == [LIGA]


def test_after_an_eparaksts_login_eparaksts_is_offered_first_and_after_smartid_smartid() -> None:
    client, mandate, url = _scene()
    smartid_first = client.get(url).content.decode()
    assert mandate.created_by is not None
    row = UserSession.objects.create(
        identity=mandate.created_by,
        method="eparaksts-mobile",
        login_at=timezone.now(),
        last_seen_at=timezone.now(),
    )
    session = client.session
    session[SESSION_REGISTRY_ID] = str(row.pk)
    session.save()

    eparaksts_first = client.get(url).content.decode()

    assert smartid_first.index('data-testid="sign-smartid"') < smartid_first.index('data-testid="sign-eparaksts"')
    assert eparaksts_first.index('data-testid="sign-eparaksts"') < eparaksts_first.index('data-testid="sign-smartid"')


def test_outside_the_demo_eparaksts_is_offered_only_with_a_registered_signing_callback(settings: Any) -> None:
    _client, mandate, _url = _scene()
    liga = mandate.created_by
    assert liga is not None
    settings.SELFCARE_DEMO = False
    settings.EPARAKSTS_SIGN_REDIRECT_URI = ""
    unregistered = signing_methods(liga, logged_in_with="eparaksts-mobile")
    settings.EPARAKSTS_SIGN_REDIRECT_URI = "https://portal.example/signing/eparaksts/callback/"

    assert unregistered == ["smartid"]
    assert signing_methods(liga, logged_in_with="eparaksts-mobile") == ["eparaksts", "smartid"]


def test_a_method_the_portal_does_not_offer_is_refused_with_a_clear_message() -> None:
    client, mandate, url = _scene()

    response = client.post(f"{url}sign/", {"method": "swedbank"}, follow=True)

    assert "Choose how to sign: Smart-ID or eParaksts." in response.content.decode()
    assert mandate.documents.count() == 0


def test_a_signature_cancelled_on_the_platform_ends_on_the_mandate_with_the_cancel_message() -> None:
    client, mandate, url = _scene()
    to_platform = client.post(f"{url}sign/", {"method": "eparaksts"})["Location"]
    to_consent = _back_in_portal(client, _on_platform(to_platform))

    back = _back_in_portal(client, _on_platform(to_consent, answer="cancel"))

    assert back == url
    with translation.override("en"):
        assert escape(message(ErrorCode.EID_CANCELLED)) in client.get(url).content.decode()
    mandate.refresh_from_db()
    assert (mandate.status, mandate.documents.count()) == (MandateStatus.DRAFT, 0)


def test_a_return_from_the_platform_without_a_signing_in_this_browser_goes_to_the_dashboard() -> None:
    client, _mandate, _url = _scene()

    response = client.get("/en/signing/eparaksts/callback/?state=x&code=y", follow=True)

    assert "This signing has ended." in response.content.decode()


def test_the_return_page_of_a_mandate_gives_nothing_to_a_main_user_of_another_company() -> None:
    _client, mandate, _url = _scene()
    stranger = people.person("15038512346", "ANNA", "BĒRZIŅA")
    other_company = factories.company(name="SIA Beta")
    people.mandate(other_company, stranger)
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    other.force_login(stranger.user)

    response = other.get(f"/en/acting/company-{other_company.pk}/mandates/{mandate.pk}/sign/return/?state=x&code=y")

    assert response.status_code == 404
