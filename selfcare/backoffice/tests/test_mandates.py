"""Back office: the queue with the check results, decisions with reasons, e-mailed documents, safe downloads and
the representatives table."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation

from selfcare.access.contexts import contexts_of
from selfcare.access.models import ApprovalRequest
from selfcare.access.tests import factories as people
from selfcare.audit.models import AuditEvent
from selfcare.binding.models import SmsMessage
from selfcare.customers.tests import factories
from selfcare.mandates import services
from selfcare.mandates.documents import document_attach
from selfcare.mandates.form import render_form
from selfcare.mandates.models import Actor, DocumentChannel, Mandate, MandateStatus, Representative
from selfcare.mandates.tests import builders
from selfcare.simulators.pki.documents import person_signer, sign_pdf
from selfcare.simulators.pki.testca import TestCA

pytestmark = pytest.mark.django_db


def _lv(text: str) -> str:
    """The back office speaks Latvian (its URLs have no language prefix)."""
    with translation.override("lv"):
        return translation.gettext(text)


@pytest.fixture
def staff_client(client: Client) -> Client:
    return people.staff_client(client, "mandate_officer", code="32000000001")


def _submitted(*, signed_by_board: bool) -> Mandate:
    company = factories.company(name="SIA Alfa")
    builders.representative(company, "Līga Liepa", "32579104511")
    mandate = builders.draft(company)
    data = render_form(mandate, "lv")
    if signed_by_board:
        data = sign_pdf(data, person_signer(TestCA(settings.SELFCARE_PKI_DIR), "32579104511", "Līga", "Liepa"))
    document_attach(
        request=None,
        mandate=mandate,
        data=data,
        original_name="pilnvara.pdf",
        channel=DocumentChannel.PORTAL,
        by=services.SYSTEM,
        context=None,
    )
    mandate.refresh_from_db()
    return mandate


def test_the_list_opens_on_the_queue_of_submitted_mandates(staff_client: Client) -> None:
    submitted = _submitted(signed_by_board=True)
    response = staff_client.get("/backoffice/mandates/mandate/")
    assert response["Location"].endswith("?status__exact=submitted")
    html = staff_client.get(response["Location"]).content.decode()
    assert submitted.attorney_name in html


def test_the_mandate_page_shows_the_check_the_signers_and_the_history(staff_client: Client) -> None:
    mandate = _submitted(signed_by_board=True)
    html = staff_client.get(f"/backoffice/mandates/mandate/{mandate.pk}/change/").content.decode()
    assert "LĪGA LIEPA" in html
    assert _lv("signatures valid, signed by the representatives") in html
    assert 'data-testid="decide-activate"' in html


def test_staff_activate_and_the_attorney_gets_the_company_and_a_notice(
    staff_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    mandate = _submitted(signed_by_board=True)
    attorney = people.person("22079018761", "PĒTERIS", "OZOLS")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(f"/backoffice/mandates/mandate/{mandate.pk}/decide/activate/", {"reason": ""})
    assert response.status_code == 302
    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.ACTIVE
    assert mandate.events.last().actor == Actor.STAFF  # type: ignore[union-attr]
    assert [c.company_id for c in contexts_of(attorney)] == [mandate.company_id]
    assert SmsMessage.objects.filter(to="+37125500001").exists()
    assert len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action="mandates:mandate:activated", object_id=str(mandate.pk)).exists()


def test_an_unverified_document_is_activated_only_with_a_reason_and_a_second_officers_approval(
    staff_client: Client,
) -> None:
    mandate = _submitted(signed_by_board=False)
    url = f"/backoffice/mandates/mandate/{mandate.pk}/decide/activate/"
    staff_client.post(url, {"reason": ""})
    assert not ApprovalRequest.objects.exists()
    response = staff_client.post(url, {"reason": "hand-signed original checked against the register"})
    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.SUBMITTED  # asked, not done
    approval = ApprovalRequest.objects.get()
    assert response["Location"] == f"/backoffice/access/approvalrequest/{approval.pk}/change/"
    decide = f"/backoffice/access/approvalrequest/{approval.pk}/decide/approve/"
    staff_client.post(decide)  # the officer who asked cannot approve
    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.SUBMITTED
    customer_service = people.staff_client(Client(), "customer_service", code="32000000003")
    assert customer_service.post(decide).status_code in (302, 404)  # not a mandate officer
    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.SUBMITTED
    second = people.staff_client(Client(), "mandate_officer", code="32000000002")
    page = second.get(f"/backoffice/access/approvalrequest/{approval.pk}/change/").content.decode()
    assert "hand-signed original checked against the register" in page
    second.post(decide)
    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.ACTIVE
    assert mandate.status_reason == "hand-signed original checked against the register"
    activated = AuditEvent.objects.get(action="mandates:mandate:activated")
    assert activated.identity.identifiers.get().code == "32000000002"  # type: ignore[union-attr]
    assert (activated.staff_role, activated.company_id) == ("mandate_officer", mandate.company_id)


def test_staff_reject_with_a_reason_and_revoke_later_ones(staff_client: Client) -> None:
    rejected = _submitted(signed_by_board=False)
    staff_client.post(f"/backoffice/mandates/mandate/{rejected.pk}/decide/reject/", {"reason": "wrong company"})
    rejected.refresh_from_db()
    assert (rejected.status, rejected.status_reason) == (MandateStatus.REJECTED, "wrong company")
    active = people.mandate(factories.company(), people.person("22079018761"))
    staff_client.post(f"/backoffice/mandates/mandate/{active.pk}/decide/revoke/", {"reason": "company asked"})
    active.refresh_from_db()
    assert active.status == MandateStatus.REVOKED


def test_a_decision_in_the_wrong_state_is_refused_with_a_message(staff_client: Client) -> None:
    mandate = _submitted(signed_by_board=True)
    response = staff_client.post(
        f"/backoffice/mandates/mandate/{mandate.pk}/decide/revoke/", {"reason": "x"}, follow=True
    )
    message = (
        "This step is not possible for a power of attorney in its current state. Reload the page to see its state."
    )
    assert _lv(message) in response.content.decode()
    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.SUBMITTED
    assert staff_client.get(f"/backoffice/mandates/mandate/{mandate.pk}/decide/activate/").status_code == 405


def test_a_document_downloads_as_a_sandboxed_attachment_never_inline(staff_client: Client) -> None:
    mandate = _submitted(signed_by_board=True)
    document = mandate.documents.get()
    response = staff_client.get(f"/backoffice/mandates/mandate/documents/{document.pk}/")
    assert response["Content-Disposition"] == f'attachment; filename="{document.stored_name}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response.content.startswith(b"%PDF-")


def test_people_who_are_not_staff_cannot_download_documents(client: Client) -> None:
    document = _submitted(signed_by_board=True).documents.get()
    client.force_login(User.objects.create_user("customer"))
    response = client.get(f"/backoffice/mandates/mandate/documents/{document.pk}/")
    assert response.status_code == 302
    assert not response.content.startswith(b"%PDF")


def test_staff_register_a_document_received_by_email_for_a_company(staff_client: Client) -> None:
    company = factories.company(name="SIA Gamma")
    today = timezone.localdate()
    form = {
        "registration_number": company.registration_number,
        "attorney_code": "220790-18761",
        "attorney_name": "Pēteris Ozols",
        "valid_from": today.isoformat(),
        "valid_until": (today + datetime.timedelta(days=30)).isoformat(),
        "attorney_phone": "",
        "attorney_email": "p@example.lv",
    }
    refused = staff_client.post(
        "/backoffice/mandates/mandate/register/", form | {"document": SimpleUploadedFile("x.pdf", b"GIF89a")}
    )
    assert refused.status_code == 200
    assert not Mandate.objects.exists()  # a refused file leaves no draft behind
    response = staff_client.post(
        "/backoffice/mandates/mandate/register/",
        form | {"document": SimpleUploadedFile("scan.pdf", builders.MINIMAL_PDF)},
    )
    mandate = Mandate.objects.get()
    assert response["Location"] == f"/backoffice/mandates/mandate/{mandate.pk}/change/"
    document = mandate.documents.get()
    assert (mandate.status, document.channel) == (MandateStatus.SUBMITTED, DocumentChannel.EMAIL)
    assert document.registered_by.digital_identity.identifiers.get().code == "32000000001"  # type: ignore[union-attr]


def test_staff_edit_a_representative_with_the_full_personal_code(staff_client: Client) -> None:
    company = factories.company()
    representative = builders.representative(company, "Līga Liepa", "32579104511")
    response = staff_client.post(
        f"/backoffice/mandates/representative/{representative.pk}/change/",
        {
            "company": company.pk,
            "name": "Līga Liepa",
            "code_prefix": "325791",
            "personal_code": "325791-04511",
            "position": "Valdes locekle",
            "representation": "sole",
            "signatures_required": 1,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Representative.objects.get().personal_code == "32579104511"


def test_the_history_names_each_step_in_latvian_not_by_its_code(staff_client: Client) -> None:
    mandate = _submitted(signed_by_board=True)
    html = staff_client.get(f"/backoffice/mandates/mandate/{mandate.pk}/change/").content.decode()
    for label in (_lv("Prepared"), _lv("Document received"), str(_lv("Submitted"))):
        assert label in html
    assert "document_added" not in html
    with translation.override("lv"):
        assert translation.pgettext("mandate status", "to").lower() in html.lower()
        # "adresāts" is the SMS recipient's word, not a status change's
        assert translation.gettext("to").lower() not in html.lower()


def test_the_back_office_titles_a_mandate_in_latvian_grammar(staff_client: Client) -> None:
    mandate = _submitted(signed_by_board=True)
    page = f"/backoffice/mandates/mandate/{mandate.pk}/change/"
    assert "<h1>Labot pilnvaru</h1>" in staff_client.get(page).content.decode()
    reader = people.staff_client(Client(), "customer_service", code="32000000002")
    assert "<h1>Apskatīt pilnvaru</h1>" in reader.get(page).content.decode()
    assert (
        "<h1>Pilnvaras</h1>"
        in staff_client.get("/backoffice/mandates/mandate/?status__exact=submitted").content.decode()
    )
