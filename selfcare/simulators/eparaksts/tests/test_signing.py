"""The simulator's signing page signs a real PDF as the chosen person, and refuses what is not a PDF."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from selfcare.mandates.signatures import DocumentKind, validate_document
from selfcare.simulators.pki.documents import simple_pdf

# Validating the signed answer asks the test PKI (the simulator service, which shares the test database) for status.
pytestmark = pytest.mark.django_db

SIGN = "/simulators/eparaksts/sign/"
PDF = simple_pdf("Power of attorney")


def _upload(content: bytes = PDF, name: str = "../pilnvara (1).pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_the_page_offers_the_demo_persons(client: Client) -> None:
    html = client.get(SIGN).content.decode()

    assert "Anna Bērziņa (150385-12346)" in html
    assert 'name="document"' in html


@pytest.mark.parametrize(("output", "kind"), [("pdf", DocumentKind.PDF), ("edoc", DocumentKind.ASICE)])
def test_a_pdf_comes_back_signed_by_the_chosen_demo_person(client: Client, output: str, kind: DocumentKind) -> None:
    response = client.post(SIGN, {"document": _upload(), "person": "15038512346", "output": output})

    assert response.status_code == 200
    # The download name is made by the server from the upload's: no path, only safe characters.
    expected_name = "pilnvara_1-signed.pdf" if output == "pdf" else "pilnvara_1.edoc"
    assert response["Content-Disposition"] == f'attachment; filename="{expected_name}"'
    report = validate_document(response.content)
    assert report.valid, report
    assert report.kind is kind
    assert report.signers[0].personal_code == "15038512346"


def test_someone_else_can_sign_with_a_typed_personal_code_and_name(client: Client) -> None:
    response = client.post(
        SIGN,
        {
            "document": _upload(),
            "person": "other",
            "personal_code": "32579104511",
            "given_name": "Līga",
            "family_name": "Ozola",
            "output": "edoc",
        },
    )

    report = validate_document(response.content)
    assert report.valid
    assert (report.signers[0].name, report.signers[0].personal_code) == ("LĪGA OZOLA", "32579104511")
    with zipfile.ZipFile(io.BytesIO(response.content)) as container:
        assert container.namelist()[0] == "mimetype"


def test_a_file_that_is_not_a_pdf_is_refused_and_the_typed_values_stay(client: Client) -> None:
    response = client.post(
        SIGN,
        {
            "document": _upload(b"<html>not a pdf</html>", "x.pdf"),
            "person": "other",
            "personal_code": "150385-12345",
            "given_name": "Anna",
            "family_name": "",
            "output": "pdf",
        },
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "This file is not a PDF." in html
    assert "last digit does not match" in html
    assert "Enter the signer&#x27;s given name and surname." in html
    assert 'value="150385-12345"' in html


def test_the_signing_page_is_closed_outside_demo_mode(client: Client, settings: object) -> None:
    settings.SELFCARE_DEMO = False  # type: ignore[attr-defined]

    assert client.get(SIGN).status_code == 404


def test_the_revoked_signer_signs_documents_that_do_not_count(client: Client) -> None:
    assert "Roberts Atsauktais (051280-12346)" in client.get(SIGN).content.decode()
    response = client.post(SIGN, {"document": _upload(), "person": "revoked-signer", "output": "pdf"})

    assert response.status_code == 200
    assert validate_document(response.content).problems == ("certificate_revoked",)
