"""Long-term validity (PAdES B-LT): a signature made in the portal carries a trusted timestamp from the test PKI's
TSA (over HTTP, pyHanko's client) and, in the document security store (DSS), the OCSP answers of the signer's and
the TSA's certificates. pyHanko's validation command sees the timestamp backed by the TSA and judges the signature
valid; pyHanko's validator trusts it from the DSS alone, with revocation data required and no fetching, which it
cannot do for a signature without them; the upload validator still accepts it."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped]
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.hazmat.primitives.hashes import SHA256
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, RevocationCheckingPolicy, RevocationCheckingRule

from selfcare.mandates.signatures import validate_document
from selfcare.revocation import revocation_checker
from selfcare.signing import pades
from selfcare.signing.tests.test_smartid_signing import (
    JANIS,
    _answer_on_phone,
    _finish,
    _start,
    _until_signature_requested,
)
from selfcare.simulators.pki.documents import person_signer, simple_pdf
from selfcare.simulators.smartid import pki

pytestmark = pytest.mark.django_db(transaction=True)

# Revocation data required for the signer's (and the TSA's) certificate, nothing fetched: only what is embedded.
POLICY = CertRevTrustPolicy(
    RevocationCheckingPolicy(
        ee_certificate_rule=RevocationCheckingRule.CRL_OR_OCSP_REQUIRED,
        intermediate_ca_cert_rule=RevocationCheckingRule.CHECK_IF_DECLARED,
    ),
    # Gathered after the signature, as B-LT data is: it says the certificates were not revoked by then.
    retroactive_revinfo=True,
)


def _root() -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(pki.test_ca().root.certificate.public_bytes(serialization.Encoding.DER))


def _signed_in_portal() -> bytes:
    signing = _until_signature_requested(_start(JANIS))
    _answer_on_phone(JANIS, "confirm")
    return _finish(signing)


def test_a_portal_signature_carries_a_timestamp_and_the_revocation_data_of_its_certificates() -> None:
    signed = _signed_in_portal()

    reader = PdfFileReader(io.BytesIO(signed), strict=False)
    unsigned = reader.embedded_signatures[-1].signed_data["signer_infos"][0]["unsigned_attrs"]
    assert "signature_time_stamp_token" in [a["type"].native for a in unsigned]
    assert len(reader.root["/DSS"]["/OCSPs"]) >= 2  # the signer's certificate and the TSA's
    assert validate_document(signed).valid


def test_pyhankos_validation_command_sees_the_timestamp_backed_by_the_tsa_and_judges_it_valid(tmp_path: Path) -> None:
    pdf, anchor = tmp_path / "signed.pdf", tmp_path / "root.pem"
    pdf.write_bytes(_signed_in_portal())
    anchor.write_bytes(pki.test_ca().root.cert_pem)

    result = subprocess.run(  # noqa: S603 - pyHanko's own command, on our file
        [
            str(Path(sys.executable).parent / "pyhanko"),
            "sign",
            "validate",
            "--pretty-print",
            "--trust-replace",
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
    assert "This timestamp is backed by a time stamping authority." in result.stdout
    assert "The TSA certificate is trusted." in result.stdout
    assert "The signature is judged VALID." in result.stdout


def test_pyhanko_trusts_it_from_the_embedded_revocation_data_alone() -> None:
    reader = PdfFileReader(io.BytesIO(_signed_in_portal()), strict=False)
    context = DocumentSecurityStore.read_dss(reader).as_validation_context(
        {"trust_roots": [_root()], "allow_fetching": False, "revinfo_policy": POLICY}
    )

    status = validate_pdf_signature(reader.embedded_signatures[-1], context)

    assert status.bottom_line, status.summary()
    assert status.trusted
    assert status.timestamp_validity is not None
    assert status.timestamp_validity.trusted


def test_a_signature_without_embedded_revocation_data_is_not_trusted_offline() -> None:
    janis = person_signer(pki.test_ca(), "120478-11230", "Jānis", "Kalniņš")
    prepared = pades.prepare(simple_pdf("PILNVARA"), janis.certificate)
    signed_b_b = pades.finish(prepared, janis.private_key.sign(prepared.to_sign, pades.PSS, Prehashed(SHA256())))
    reader = PdfFileReader(io.BytesIO(signed_b_b), strict=False)
    # Some revocation data the validator has, but not of this signer (pyHanko refuses to start with none at all).
    anna = person_signer(pki.test_ca(), "150385-12346", "Anna", "Bērziņa").certificate
    unrelated = revocation_checker().fetcher.ocsp(anna, pki.test_ca().root.certificate)
    assert unrelated is not None
    context = ValidationContext(trust_roots=[_root()], ocsps=[unrelated], allow_fetching=False, revinfo_policy=POLICY)

    status = validate_pdf_signature(reader.embedded_signatures[-1], context)

    assert not status.trusted
