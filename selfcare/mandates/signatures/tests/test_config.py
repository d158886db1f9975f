"""Trust anchors come from configuration, loaded once; nothing falls back to the system store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from selfcare.mandates.signatures import Problem, config, validate_document
from selfcare.simulators.pki.documents import SigningKey, sign_pdf
from selfcare.simulators.pki.testca import TestCA


@pytest.fixture(autouse=True)
def _fresh_anchors() -> Iterator[None]:
    config.trust_anchors.cache_clear()
    yield
    config.trust_anchors.cache_clear()


def test_the_demo_trusts_the_test_ca_root_when_nothing_is_configured(ca: TestCA) -> None:
    assert config.trust_anchors() == (ca.root.certificate,)


def test_a_directory_of_pem_files_is_read(settings: Any, tmp_path: Path, ca: TestCA) -> None:
    (tmp_path / "unknown.pem").write_bytes(ca.unknown_root.cert_pem)
    (tmp_path / "notes.txt").write_text("not a certificate")
    settings.SIGNED_DOCUMENT_TRUST_ANCHORS = str(tmp_path)

    assert config.trust_anchors() == (ca.unknown_root.certificate,)


def test_outside_the_demo_missing_anchors_stop_validation_with_a_configuration_error(settings: Any) -> None:
    settings.SELFCARE_DEMO = False
    settings.SIGNED_DOCUMENT_TRUST_ANCHORS = ""

    with pytest.raises(ImproperlyConfigured, match="SIGNED_DOCUMENT_TRUST_ANCHORS"):
        validate_document(b"%PDF-1.7")


def test_a_signature_counts_only_under_the_anchors_given(ca: TestCA, anna: SigningKey, form_pdf: bytes) -> None:
    signed = sign_pdf(form_pdf, anna)

    assert validate_document(signed, trust_anchors=[ca.root.certificate]).valid
    report = validate_document(signed, trust_anchors=[ca.unknown_root.certificate])
    assert report.problems == (Problem.UNTRUSTED_CHAIN,)


def test_an_authentication_certificate_cannot_sign_a_document(ca: TestCA, form_pdf: bytes) -> None:
    # Smart-ID authentication certificates have digitalSignature but not nonRepudiation.
    issued = ca.smartid_person("150385-12346", "Anna", "Bērziņa")
    signer = SigningKey(issued.private_key, issued.certificate, (ca.smartid_issuing.certificate,))

    report = validate_document(sign_pdf(form_pdf, signer))

    assert report.problems == (Problem.CERTIFICATE_NOT_FOR_SIGNING,)
    assert report.signers[0].personal_code == "15038512346"
