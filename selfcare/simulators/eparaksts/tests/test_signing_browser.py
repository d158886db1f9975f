"""Journey in a real browser: a person uploads a PDF to the simulator's signing page and gets back a signed file
that the portal's validator accepts as signed by them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from selfcare.mandates.signatures import DocumentKind, validate_document
from selfcare.simulators.pki.documents import simple_pdf

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(("label", "kind"), [("PAdES", DocumentKind.PDF), ("ASiC-E", DocumentKind.ASICE)])
def test_a_person_signs_a_pdf_in_the_simulator_and_the_result_validates(
    page: Any, live_server: Any, tmp_path: Path, label: str, kind: DocumentKind
) -> None:
    document = tmp_path / "pilnvara.pdf"
    document.write_bytes(simple_pdf("Power of attorney", "main user rights"))

    page.goto(f"{live_server.url}/simulators/eparaksts/sign/")
    assert page.get_by_role("heading", level=1).inner_text() == "Sign a document"
    page.get_by_label("PDF document").set_input_files(str(document))
    page.get_by_label("Pēteris Ozols", exact=False).check()
    page.get_by_label(label, exact=False).check()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Sign").click()
    download = download_info.value
    signed = Path(download.path()).read_bytes()

    report = validate_document(signed)
    assert report.valid, report
    assert report.kind is kind
    assert report.signers[0].personal_code == "22079018761"
    assert download.suggested_filename == ("pilnvara-signed.pdf" if kind is DocumentKind.PDF else "pilnvara.edoc")
