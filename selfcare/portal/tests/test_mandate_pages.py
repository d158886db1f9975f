"""The powers-of-attorney pages: who may open and do what (a stranger gets 404), the form download, uploads of
real signed documents (test CA) and the revocation that cuts the attorney off at their next request."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from selfcare.access.tests import factories as people
from selfcare.audit.models import AuditEvent
from selfcare.customers.models import Company
from selfcare.customers.tests import factories
from selfcare.identity.methods.base import VerifiedIdentity
from selfcare.identity.models import DigitalIdentity
from selfcare.identity.services import identity_for
from selfcare.mandates.form import render_form
from selfcare.mandates.models import Mandate, MandateStatus
from selfcare.mandates.tests import builders
from selfcare.simulators.pki.documents import SigningKey, make_edoc, person_signer, sign_pdf
from selfcare.simulators.pki.testca import TestCA

pytestmark = pytest.mark.django_db


@dataclass
class Scene:
    company: Company
    other: Company
    liga: DigitalIdentity  # sole representative of `company`
    anna: DigitalIdentity  # main user of `company`
    bruno: DigitalIdentity  # main user of `other`
    stranger: DigitalIdentity  # nothing at all
    active: Mandate  # Anna's


@pytest.fixture
def scene() -> Scene:
    company, other = factories.company(name="SIA Alfa"), factories.company(name="SIA Beta")
    factories.connection(account=factories.business_account(company=company), msisdn="+37125000001")
    builders.representative(company, "Līga Liepa", "32579104511")
    liga = people.person("32579104511", "LĪGA", "LIEPA")
    anna = people.person("15038512346", "ANNA", "BĒRZIŅA")
    bruno = people.person("16117519997", "BRUNO", "KALNS")
    stranger = people.person("01059011113", "EDGARS", "ZARIŅŠ")
    active = people.mandate(company, anna)
    people.mandate(other, bruno)
    return Scene(company, other, liga, anna, bruno, stranger, active)


@pytest.fixture(scope="module")
def liga_key() -> SigningKey:
    return person_signer(TestCA(settings.SELFCARE_PKI_DIR), "32579104511", "Līga", "Liepa")


def _as(client: Client, identity: DigitalIdentity) -> Client:
    client.force_login(identity.user)
    return client


def _new(client: Client, context: str, **overrides: str) -> Any:
    today = timezone.localdate()
    data = {
        "attorney_code": "220790-18761",
        "attorney_name": "Pēteris Ozols",
        "scope": "all",
        "numbers": "",
        "valid_from": today.isoformat(),
        "valid_until": (today + datetime.timedelta(days=90)).isoformat(),
        "attorney_phone": "25500001",
        "attorney_email": "",
    } | overrides
    return client.post(f"/en/acting/{context}/mandates/new/", data)


def test_a_representative_sees_the_companys_mandates_and_may_start_one(client: Client, scene: Scene) -> None:
    _as(client, scene.liga)
    key = f"representative-{scene.company.pk}"
    html = client.get("/en/dashboard/").content.decode()
    assert "SIA Alfa — representative" in html
    page = client.get(f"/en/acting/{key}/mandates/")
    assert page.status_code == 200
    assert "Anna" in page.content.decode()
    response = _new(client, key)
    mandate = Mandate.objects.get(attorney_code="22079018761")
    assert response["Location"] == f"/en/acting/{key}/mandates/{mandate.pk}/"
    assert (mandate.status, mandate.attorney_phone, mandate.created_by) == (
        MandateStatus.DRAFT,
        "+37125500001",
        scene.liga,
    )
    assert AuditEvent.objects.filter(action="mandates:mandate:created", context=key).exists()


def test_a_new_draft_says_no_document_is_signed_yet_rather_than_a_failed_check(client: Client, scene: Scene) -> None:
    _as(client, scene.liga)
    key = f"representative-{scene.company.pk}"
    _new(client, key)
    mandate = Mandate.objects.get(attorney_code="22079018761")
    html = client.get(f"/en/acting/{key}/mandates/{mandate.pk}/").content.decode()
    assert "no signed document yet" in html
    assert "not verified" not in html


def test_the_form_keeps_what_was_typed_and_says_what_is_wrong(client: Client, scene: Scene) -> None:
    _as(client, scene.liga)
    too_long = (timezone.localdate() + datetime.timedelta(days=500)).isoformat()
    response = _new(client, f"representative-{scene.company.pk}", valid_until=too_long, attorney_name="Pēteris Ozols")
    assert response.status_code == 200
    html = response.content.decode()
    assert "at most 12 months" in html
    assert "Pēteris Ozols" in html
    response = _new(client, f"representative-{scene.company.pk}", scope="selected", numbers="+371 29 999 999")
    assert "Not a connection of this company" in response.content.decode()
    assert not Mandate.objects.filter(attorney_code="22079018761").exists()


def test_the_prefilled_form_downloads_as_an_attachment_in_both_languages(client: Client, scene: Scene) -> None:
    _as(client, scene.liga)
    key = f"representative-{scene.company.pk}"
    _new(client, key)
    mandate = Mandate.objects.get(attorney_code="22079018761")
    html = client.get(f"/en/acting/{key}/mandates/{mandate.pk}/").content.decode()
    for language in ("lv", "en"):
        assert f'href="/en/acting/{key}/mandates/{mandate.pk}/form-{language}.pdf"' in html
        response = client.get(f"/en/acting/{key}/mandates/{mandate.pk}/form-{language}.pdf")
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert response.content.startswith(b"%PDF-")
    assert client.get(f"/en/acting/{key}/mandates/{mandate.pk}/form-de.pdf").status_code == 404


def test_a_form_signed_by_the_representative_is_verified_after_upload(
    client: Client, scene: Scene, liga_key: SigningKey
) -> None:
    _as(client, scene.liga)
    key = f"representative-{scene.company.pk}"
    _new(client, key)
    mandate = Mandate.objects.get(attorney_code="22079018761")
    signed = sign_pdf(render_form(mandate, "lv"), liga_key)
    response = client.post(
        f"/en/acting/{key}/mandates/{mandate.pk}/upload/",
        {"document": SimpleUploadedFile("pilnvara.pdf", signed, content_type="text/plain")},
    )
    assert response.status_code == 302
    mandate.refresh_from_db()
    assert (mandate.status, mandate.verified) == (MandateStatus.SUBMITTED, True)
    html = client.get(response["Location"]).content.decode()
    assert "The signatures are valid and the signers may represent the company." in html
    assert "LĪGA LIEPA" in html


def test_an_edoc_signed_by_the_representative_verifies_too(client: Client, scene: Scene, liga_key: SigningKey) -> None:
    _as(client, scene.liga)
    key = f"representative-{scene.company.pk}"
    _new(client, key)
    mandate = Mandate.objects.get(attorney_code="22079018761")
    edoc = make_edoc({"pilnvara.pdf": render_form(mandate, "lv")}, liga_key)
    client.post(f"/en/acting/{key}/mandates/{mandate.pk}/upload/", {"document": SimpleUploadedFile("p.edoc", edoc)})
    mandate.refresh_from_db()
    assert (mandate.status, mandate.verified) == (MandateStatus.SUBMITTED, True)
    assert mandate.documents.get().kind == "asice"


def test_a_form_signed_by_someone_who_is_not_a_representative_is_kept_but_not_verified(
    client: Client, scene: Scene
) -> None:
    _as(client, scene.anna)  # a main user may prepare and upload; only the representative's signature verifies
    key = f"company-{scene.company.pk}"
    _new(client, key)
    mandate = Mandate.objects.get(attorney_code="22079018761")
    anna_key = person_signer(TestCA(settings.SELFCARE_PKI_DIR), "150385-12346", "Anna", "Bērziņa")
    client.post(
        f"/en/acting/{key}/mandates/{mandate.pk}/upload/",
        {"document": SimpleUploadedFile("p.pdf", sign_pdf(render_form(mandate, "en"), anna_key))},
    )
    mandate.refresh_from_db()
    assert (mandate.status, mandate.verified) == (MandateStatus.SUBMITTED, False)
    html = client.get(f"/en/acting/{key}/mandates/{mandate.pk}/").content.decode()
    assert "representatives in the Register of Enterprises" in html
    assert "not verified" in html


def test_an_upload_that_is_not_a_signed_document_is_refused_with_a_message(client: Client, scene: Scene) -> None:
    _as(client, scene.liga)
    key = f"representative-{scene.company.pk}"
    _new(client, key)
    mandate = Mandate.objects.get(attorney_code="22079018761")
    response = client.post(
        f"/en/acting/{key}/mandates/{mandate.pk}/upload/",
        {"document": SimpleUploadedFile("pilnvara.pdf", b"GIF89a not a pdf", content_type="application/pdf")},
    )
    assert response.status_code == 400
    assert "neither a PDF nor an eParaksts container" in response.content.decode()
    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.DRAFT


def test_revoking_needs_a_confirm_step_and_cuts_the_attorney_off_at_their_next_request(
    client: Client, scene: Scene
) -> None:
    attorney = Client()
    _as(attorney, scene.anna)
    company_key = f"company-{scene.company.pk}"
    assert attorney.get(f"/en/acting/{company_key}/connections/").status_code == 200
    _as(client, scene.liga)
    url = f"/en/acting/representative-{scene.company.pk}/mandates/{scene.active.pk}/revoke/"
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "at once" in confirm.content.decode()
    scene.active.refresh_from_db()
    assert scene.active.status == MandateStatus.ACTIVE  # the GET changed nothing
    assert client.post(url, {"reason": ""}).status_code == 200  # a reason is required
    assert client.post(url, {"reason": "left the company"}).status_code == 302
    scene.active.refresh_from_db()
    assert scene.active.status == MandateStatus.REVOKED
    assert attorney.get(f"/en/acting/{company_key}/connections/").status_code == 404


def test_a_main_user_sees_the_mandates_but_may_not_revoke(client: Client, scene: Scene) -> None:
    _as(client, scene.anna)
    key = f"company-{scene.company.pk}"
    assert client.get(f"/en/acting/{key}/mandates/{scene.active.pk}/").status_code == 200
    assert client.get(f"/en/acting/{key}/mandates/{scene.active.pk}/revoke/").status_code == 404
    assert client.post(f"/en/acting/{key}/mandates/{scene.active.pk}/revoke/", {"reason": "x"}).status_code == 404


def test_a_stranger_or_another_companys_main_user_cannot_see_or_revoke_the_mandates(
    client: Client, scene: Scene
) -> None:
    mandate = scene.active.pk
    for who in (scene.stranger, scene.bruno):
        _as(client, who)
        for key in (f"company-{scene.company.pk}", f"representative-{scene.company.pk}"):
            for path in ("mandates/", f"mandates/{mandate}/", "mandates/new/", f"mandates/{mandate}/form-lv.pdf"):
                assert client.get(f"/en/acting/{key}/{path}").status_code == 404, (who, key, path)
            assert client.post(f"/en/acting/{key}/mandates/{mandate}/revoke/", {"reason": "x"}).status_code == 404
    # Bruno's own context does not reach company A's mandate by its id either.
    _as(client, scene.bruno)
    assert client.get(f"/en/acting/company-{scene.other.pk}/mandates/{mandate}/").status_code == 404
    scene.active.refresh_from_db()
    assert scene.active.status == MandateStatus.ACTIVE


def test_an_employee_context_has_no_mandate_pages(client: Client, scene: Scene) -> None:
    connection = factories.connection(account=factories.business_account(company=scene.company))
    people.binding(connection, scene.stranger)
    _as(client, scene.stranger)
    assert client.get(f"/en/acting/work-{scene.company.pk}/mandates/").status_code == 404


def test_a_lithuanian_can_be_given_a_power_of_attorney_and_once_it_is_active_acts_for_the_company(
    client: Client, scene: Scene
) -> None:
    _as(client, scene.liga)
    key = f"representative-{scene.company.pk}"
    _new(client, key, attorney_code="LT 38507201230", attorney_name="Jonas Kazlauskas")
    mandate = Mandate.objects.get(attorney_code="38507201230")
    assert mandate.attorney_country == "LT"
    printed = "".join(page.extract_text() for page in PdfReader(io.BytesIO(render_form(mandate, "en"))).pages)
    assert "LT 38507201230" in printed  # the form to sign names the country plainly

    Mandate.objects.filter(pk=mandate.pk).update(status=MandateStatus.ACTIVE)
    jonas = identity_for(VerifiedIdentity("smartid", "LT", "38507201230", "JONAS", "KAZLAUSKAS", "qualified", {}))
    latvian_with_the_same_digits = people.person("38507201230", "JĀNIS", "KALNIŅŠ")
    assert "SIA Alfa — main user" in _as(client, jonas).get("/en/dashboard/").content.decode()
    assert "SIA Alfa" not in _as(client, latvian_with_the_same_digits).get("/en/dashboard/").content.decode()


def test_a_code_of_a_country_not_modelled_is_refused_next_to_the_field(client: Client, scene: Scene) -> None:
    _as(client, scene.liga)
    response = _new(client, f"representative-{scene.company.pk}", attorney_code="DE 38001085718")
    assert "Personal codes of Latvia, Estonia and Lithuania are accepted" in response.content.decode()
    assert not Mandate.objects.filter(attorney_code="38001085718").exists()
