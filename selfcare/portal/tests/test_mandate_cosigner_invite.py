"""Co-signers the portal cannot tell: after the first of two joint representatives signs, the other one (never
logged in, so no number or address on file) is listed on the mandate with a form; the signer gives a mobile number
or an e-mail address, which is checked (a clear message, what was typed kept), and the invitation is sent. Someone
who has not signed gets no form and cannot post one."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from selfcare.access.tests import factories as people
from selfcare.binding.models import SmsMessage
from selfcare.mandates.models import Representation
from selfcare.mandates.tests import builders
from selfcare.portal.tests.test_mandate_signing_pages import LIGA, _scene, _wait_until
from selfcare.signing.tests.test_smartid_signing import _answer_on_phone

pytestmark = pytest.mark.django_db(transaction=True)

OTHER = "Kārlis Kalns"


@pytest.fixture(autouse=True)
def _tasks_at_once(settings: Any) -> None:
    settings.MANDATE_AUTO_ACTIVATE_VERIFIED = True


def _signed_by_liga() -> tuple[Client, Any, str, int]:
    client, mandate, url = _scene()
    mandate.company.representatives.update(representation=Representation.JOINT, signatures_required=2)
    other = builders.representative(
        mandate.company, OTHER, "01018012345", representation=Representation.JOINT, signatures_required=2
    )
    client.post(f"{url}sign/", {"method": "smartid"})
    _wait_until(client, url, lambda r: b"verification-code" in client.get(f"{url}sign/wait/").content)
    _answer_on_phone(LIGA, "confirm")
    _wait_until(client, url, lambda r: r.status_code == 302 and r["Location"] == url)
    return client, mandate, url, other.pk


def test_the_signer_gives_the_cosigners_number_and_the_invitation_is_sent_by_sms() -> None:
    client, mandate, url, other = _signed_by_liga()
    page = client.get(url).content.decode()
    assert f'data-testid="invite-{other}"' in page

    response = client.post(f"{url}invite/{other}/", {f"invite-{other}-phone": "29 123 456"}, follow=True)

    assert "The invitation to sign was sent to Kārlis Kalns." in response.content.decode()
    sms = SmsMessage.objects.get(to="+37129123456")
    assert mandate.company.name in sms.text
    assert mandate.events.filter(action="cosigners_told", reason=OTHER).exists()


def test_an_email_address_works_too() -> None:
    client, _mandate, url, other = _signed_by_liga()

    client.post(f"{url}invite/{other}/", {f"invite-{other}-email": "karlis@example.lv"})

    assert [m.to for m in mail.outbox if "karlis@example.lv" in m.to] == [["karlis@example.lv"]]


def test_a_bad_number_gets_a_clear_message_and_keeps_what_was_typed() -> None:
    client, _mandate, url, other = _signed_by_liga()

    response = client.post(f"{url}invite/{other}/", {f"invite-{other}-phone": "67123456"})

    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter a mobile number." in page
    assert 'value="67123456"' in page
    assert not SmsMessage.objects.filter(text__contains="asks you to sign").exists()


def test_neither_a_number_nor_an_address_is_refused_with_a_message() -> None:
    client, _mandate, url, other = _signed_by_liga()

    response = client.post(f"{url}invite/{other}/", {})

    assert response.status_code == 400
    assert "Enter a mobile number or an e-mail address." in response.content.decode()


def test_a_main_user_who_has_not_signed_gets_no_form_and_cannot_post_one() -> None:
    _client, mandate, _url, other = _signed_by_liga()
    main_user = people.person("15038512346", "ANNA", "BĒRZIŅA")
    people.mandate(mandate.company, main_user)
    anna = Client(HTTP_ACCEPT_LANGUAGE="en")
    anna.force_login(main_user.user)
    company_url = f"/en/acting/company-{mandate.company_id}/mandates/{mandate.pk}/"

    assert f'data-testid="invite-{other}"' not in anna.get(company_url).content.decode()
    assert anna.post(f"{company_url}invite/{other}/", {f"invite-{other}-phone": "29123456"}).status_code == 404
    assert not SmsMessage.objects.filter(to="+37129123456").exists()
