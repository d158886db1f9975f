"""PAdES with an external signer: what the person's method signs comes back into the PDF, and the result passes the
same validation as an uploaded document; a second signature keeps the first one valid."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, utils
from django.conf import settings
from django.utils import timezone

from selfcare.mandates.signatures import validate_document
from selfcare.signing import pades
from selfcare.simulators.pki.documents import SigningKey, person_signer, simple_pdf
from selfcare.simulators.pki.testca import TestCA

pytestmark = pytest.mark.django_db  # the validator asks the test PKI's OCSP responder, which reads the database


@pytest.fixture(scope="module")
def ca() -> TestCA:
    return TestCA(settings.SELFCARE_PKI_DIR)


def _sign_remotely(prepared: pades.Prepared, key: SigningKey) -> bytes:
    """What the provider does with the digest it gets: RSASSA-PSS over it, the digest not hashed again."""
    return key.private_key.sign(prepared.to_sign, pades.PSS, utils.Prehashed(hashes.SHA256()))


def _sign(pdf: bytes, key: SigningKey) -> bytes:
    prepared = pades.prepare(pdf, key.certificate, reason="Pilnvara")
    return pades.finish(pades.Prepared.from_dict(prepared.as_dict()), _sign_remotely(prepared, key))


def test_a_pdf_signed_through_an_external_signer_passes_the_upload_validation(ca: TestCA) -> None:
    janis = person_signer(ca, "120478-11230", "Jānis", "Kalniņš")

    report = validate_document(_sign(simple_pdf("PILNVARA"), janis))

    assert report.valid, report
    assert [s.personal_code for s in report.signers] == ["12047811230"]


def test_a_second_signature_keeps_the_first_valid_and_both_count(ca: TestCA) -> None:
    first = person_signer(ca, "120478-11230", "Jānis", "Kalniņš")
    second = person_signer(ca, "150385-12346", "Anna", "Bērziņa")

    report = validate_document(_sign(_sign(simple_pdf("PILNVARA"), first), second))

    assert report.valid, report
    assert [s.personal_code for s in report.signers] == ["12047811230", "15038512346"]


def test_a_signature_value_from_another_key_is_refused_before_it_enters_the_pdf(ca: TestCA) -> None:
    janis = person_signer(ca, "120478-11230", "Jānis", "Kalniņš")
    anna = person_signer(ca, "150385-12346", "Anna", "Bērziņa")
    prepared = pades.prepare(simple_pdf("PILNVARA"), janis.certificate)

    with pytest.raises(pades.SigningFailed):
        pades.finish(prepared, _sign_remotely(prepared, anna))


def test_a_pkcs1_v1_5_signature_value_as_eparaksts_makes_it_enters_the_pdf_and_validates(ca: TestCA) -> None:
    janis = person_signer(ca, "120478-11230", "Jānis", "Kalniņš")
    prepared = pades.prepare(simple_pdf("PILNVARA"), janis.certificate, mechanism=pades.RSA_PKCS1V15)
    value = janis.private_key.sign(prepared.to_sign, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))

    signed = pades.finish(pades.Prepared.from_dict(prepared.as_dict()), value)

    report = validate_document(signed)
    assert report.valid, report
    with pytest.raises(pades.SigningFailed):  # a PSS value where PKCS#1 v1.5 was prepared does not pass
        pades.finish(prepared, _sign_remotely(prepared, janis))


def pyhanko_cli_says_valid(signed: bytes, root: TestCA, tmp_path: Path) -> str:
    """Run pyHanko's own validation command on ``signed`` (trusting the test CA's root); return what it printed."""
    pdf, anchor = tmp_path / "signed.pdf", tmp_path / "root.pem"
    pdf.write_bytes(signed)
    anchor.write_bytes(root.root.cert_pem)
    result = subprocess.run(  # noqa: S603 - pyHanko's own command, on our file
        [
            str(Path(sys.executable).parent / "pyhanko"),
            "sign",
            "validate",
            "--pretty-print",
            "--trust",
            str(anchor),
            "--no-revocation-check",
            # The command runs on the machine's clock; the test's clock may stand elsewhere (make test-dates).
            "--validation-time",
            timezone.now().isoformat(),
            str(pdf),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_the_signed_pdf_opens_as_signed_in_pyhankos_validation_cli(ca: TestCA, tmp_path: Path) -> None:
    janis = person_signer(ca, "120478-11230", "Jānis", "Kalniņš")

    output = pyhanko_cli_says_valid(_sign(simple_pdf("PILNVARA"), janis), ca, tmp_path)

    assert "The signature is judged VALID." in output
