"""The pages of signing a power of attorney in the portal: the representative's button, the wait with the
verification code, the outcome back on the mandate (signed and active, or the refusal's message), the download of
what was signed, and nothing of it for someone who is not a representative."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.html import escape

from selfcare.access.tests import factories as people
from selfcare.customers.tests import factories
from selfcare.errors import ErrorCode, message
from selfcare.mandates.models import Mandate, MandateStatus
from selfcare.mandates.services import By, mandate_create
from selfcare.mandates.signatures import validate_document
from selfcare.mandates.tests import builders
from selfcare.simulators.testing import SimulatorsClient

pytestmark = pytest.mark.django_db(transaction=True)

LIGA = "32579104511"
REFUSES = "02078512348"


@pytest.fixture(autouse=True)
def _media(settings: Any) -> None:
    settings.MANDATE_AUTO_ACTIVATE_VERIFIED = True


def _scene(code: str = LIGA, given: str = "Līga", family: str = "Liepa") -> tuple[Client, Mandate, str]:
    company = factories.company(name="SIA Alfa")
    builders.representative(company, f"{given} {family}", code)
    person = people.person(code, given.upper(), family.upper())
    today = timezone.localdate()
    mandate = mandate_create(
        request=None,
        by=By(identity=person),
        context=None,
        company=company,
        attorney_code="220790-18761",
        attorney_name="Pēteris Ozols",
        valid_from=today,
        valid_until=today + datetime.timedelta(days=90),
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(person.user)
    return client, mandate, f"/en/acting/representative-{company.pk}/mandates/{mandate.pk}/"


def _wait_until(client: Client, url: str, done: Any) -> Any:
    for _ in range(15):
        response = client.post(f"{url}sign/status/")
        if done(response):
            return response
    raise AssertionError("the signing never moved on")


def test_a_representative_signs_on_the_page_with_the_code_shown_and_the_mandate_is_active() -> None:
    client, mandate, url = _scene()
    assert 'data-testid="sign-smartid"' in client.get(url).content.decode()

    assert client.post(f"{url}sign/")["Location"] == f"{url}sign/wait/"
    _wait_until(client, url, lambda r: b"verification-code" in client.get(f"{url}sign/wait/").content)
    page = client.get(f"{url}sign/wait/").content.decode()
    code = re.search(r'data-testid="verification-code">(\d{4})<', page)
    assert code is not None
    phone = SimulatorsClient(HTTP_ACCEPT_LANGUAGE="en")
    phone_page = phone.get(f"/simulators/smartid/phone/{LIGA}/").content.decode()
    assert code.group(1) in phone_page
    session_id = re.search(rf"/simulators/smartid/phone/{LIGA}/([0-9a-f-]{{36}})/", phone_page)
    assert session_id is not None
    phone.post(f"/simulators/smartid/phone/{LIGA}/{session_id.group(1)}/", {"answer": "confirm"})
    _wait_until(client, url, lambda r: r.status_code == 302 and r["Location"] == url)

    mandate.refresh_from_db()
    assert (mandate.status, mandate.verified) == (MandateStatus.ACTIVE, True)
    detail = client.get(url).content.decode()
    assert "Your signature was added" in detail
    assert 'data-testid="sign-smartid"' not in detail
    download = client.get(f"{url}documents/{mandate.documents.get().pk}/")
    assert download["Content-Type"] == "application/pdf"
    assert validate_document(download.content).valid


def test_a_signature_refused_in_the_app_ends_on_the_mandate_with_the_refusals_message() -> None:
    client, mandate, url = _scene(REFUSES, "Ilze", "Ozoliņa")
    client.post(f"{url}sign/")

    _wait_until(client, url, lambda r: r.status_code == 302 and r["Location"] == url)

    with translation.override("en"):
        assert escape(message(ErrorCode.EID_CANCELLED)) in client.get(url).content.decode()
    mandate.refresh_from_db()
    assert (mandate.status, mandate.documents.count()) == (MandateStatus.DRAFT, 0)


def test_someone_who_may_see_the_mandate_but_is_not_a_representative_gets_no_sign_button() -> None:
    _client, mandate, _url = _scene()
    main_user = people.person("15038512346", "ANNA", "BĒRZIŅA")
    people.mandate(mandate.company, main_user)
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    other.force_login(main_user.user)
    company_url = f"/en/acting/company-{mandate.company_id}/mandates/{mandate.pk}/"

    assert 'data-testid="sign-smartid"' not in other.get(company_url).content.decode()
    response = other.post(f"{company_url}sign/", follow=True)

    with translation.override("en"):
        assert escape(message(ErrorCode.MANDATE_NOT_A_SIGNER)) in response.content.decode()
