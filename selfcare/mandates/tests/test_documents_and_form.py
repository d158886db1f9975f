"""Uploads (size, type by content, server-made names, failures kept) and the prefilled form."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from pypdf import PdfReader

from selfcare.customers.tests import factories
from selfcare.mandates import services
from selfcare.mandates.documents import ASICE_MIMETYPE, document_attach, kind_of, read
from selfcare.mandates.form import render_form
from selfcare.mandates.models import DocumentChannel, MandateDocument, MandateScope, MandateStatus
from selfcare.mandates.tests import builders

pytestmark = pytest.mark.django_db


def _asice(first: str = "mimetype", content: bytes = ASICE_MIMETYPE) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as container:
        container.writestr(first, content)
        container.writestr("form.pdf", builders.MINIMAL_PDF)
    return buffer.getvalue()


def test_the_type_is_decided_by_content_not_by_name() -> None:
    assert kind_of(builders.MINIMAL_PDF) == "pdf"
    assert kind_of(_asice()) == "asice"
    assert kind_of(_asice(first="other.txt")) is None  # a ZIP, but not an ASiC-E container
    assert kind_of(b"MZ\x90\x00 a program named form.pdf") is None
    assert kind_of(b"<html><script>alert(1)</script>") is None


def _attach(mandate: object, data: bytes, name: str = "signed.pdf") -> MandateDocument:
    return document_attach(
        request=None,
        mandate=mandate,  # type: ignore[arg-type]
        data=data,
        original_name=name,
        channel=DocumentChannel.PORTAL,
        by=services.SYSTEM,
        context=None,
        report=builders.report(mandate),  # type: ignore[arg-type]
    )


def test_an_upload_is_stored_under_a_server_made_name_in_the_configured_directory(documents_dir: Path) -> None:
    mandate = builders.draft(factories.company())
    document = _attach(mandate, builders.MINIMAL_PDF, name="../../etc/passwd.pdf")
    assert document.stored_name.endswith(".pdf")
    assert "passwd" not in document.stored_name
    assert [path.name for path in (documents_dir / "mandates").iterdir()] == [document.stored_name]
    assert read(document) == builders.MINIMAL_PDF
    assert document.original_name == "passwd.pdf"
    assert len(document.sha256) == 64


def test_a_file_over_the_size_limit_is_refused_and_nothing_is_stored(settings: object, documents_dir: Path) -> None:
    settings.SIGNED_DOCUMENT_MAX_BYTES = 100  # type: ignore[attr-defined]
    mandate = builders.draft(factories.company())
    with pytest.raises(ValidationError) as raised:
        _attach(mandate, builders.MINIMAL_PDF + b" " * 100)
    assert "document" in raised.value.message_dict
    assert not MandateDocument.objects.exists()
    assert list(documents_dir.iterdir()) == []


def test_a_file_of_another_type_is_refused_whatever_its_name(documents_dir: Path) -> None:
    mandate = builders.draft(factories.company())
    with pytest.raises(ValidationError):
        _attach(mandate, b"<html>not a pdf</html>", name="form.pdf")
    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.DRAFT
    assert list(documents_dir.iterdir()) == []


def test_a_document_that_fails_validation_is_kept_with_its_reasons(documents_dir: Path) -> None:
    mandate = builders.draft(factories.company())
    report = builders.report(mandate, builders.signer("X Y", "32579104511", valid=False), problems=("untrusted_chain",))
    document = document_attach(
        request=None,
        mandate=mandate,
        data=builders.MINIMAL_PDF,
        original_name="a.pdf",
        channel=DocumentChannel.PORTAL,
        by=services.SYSTEM,
        context=None,
        report=report,
    )
    mandate.refresh_from_db()
    assert not document.signatures_valid
    assert document.problems == ["untrusted_chain"]
    assert document.report["signers"][0]["problems"] == ["untrusted_chain"]
    assert document.report["valid"] is False
    assert (documents_dir / "mandates" / document.stored_name).exists()
    assert not mandate.verified


def test_no_document_is_added_to_a_mandate_that_was_decided() -> None:
    mandate = builders.draft(factories.company())
    _attach(mandate, builders.MINIMAL_PDF)
    services.mandate_reject(request=None, mandate=mandate, by=services.SYSTEM, reason="no")
    with pytest.raises(services.IllegalTransition):
        _attach(mandate, builders.MINIMAL_PDF)


@pytest.mark.parametrize("language", ["lv", "en"])
def test_the_form_is_a_pdf_prefilled_with_the_mandate_and_carries_its_reference(language: str) -> None:
    company = factories.company(name="SIA Ziemeļu Loģistika", legal_address="Dēļu iela 5, Rīga")
    connection = factories.connection(account=factories.business_account(company=company))
    mandate = builders.draft(
        company, attorney_name="Pēteris Ozols", scope=MandateScope.SELECTED, connections=[connection]
    )
    pdf = render_form(mandate, language)
    assert pdf.startswith(b"%PDF-")
    assert f"selfcare-mandate {mandate.reference}".encode() in pdf
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    for expected in ("SIA Ziemeļu Loģistika", company.registration_number, "Pēteris Ozols", "220790-18761"):
        assert expected in text
    assert ("PILNVARA" if language == "lv" else "POWER OF ATTORNEY") in text
    assert mandate.valid_until.strftime("%d.%m.%Y") in text
