"""A signed document counts only if its signer had not been revoked at the signing time (OCSP first, CRL fallback).

The signers' certificates name the test PKI's OCSP responder and CRL, answered by the PKI simulator; the revocation
registry lives as long as the PKI directory, so these signers are people of their own, never a demo person.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from selfcare.mandates.signatures import Problem, validate_document
from selfcare.simulators.pki.documents import SigningKey, make_edoc, person_signer, sign_pdf
from selfcare.simulators.pki.testca import TestCA

REVOKED_SIGNER = "160579-12340"


@pytest.fixture
def revoked(ca: TestCA) -> tuple[SigningKey, dt.datetime]:
    """A signer whose certificate was revoked two hours after it became valid (in the past, whatever today is)."""
    signer = person_signer(ca, REVOKED_SIGNER, "Atsauktais", "Parakstītājs")
    revoked_at = ca.revoke(
        ca.signing_person(REVOKED_SIGNER, "Atsauktais", "Parakstītājs"),
        at=signer.certificate.not_valid_before_utc + dt.timedelta(hours=2),
    )
    return signer, revoked_at


def test_a_pdf_signed_after_its_signer_was_revoked_does_not_count(
    revoked: tuple[SigningKey, dt.datetime], form_pdf: bytes
) -> None:
    signer, _ = revoked
    report = validate_document(sign_pdf(form_pdf, signer))
    assert not report.valid
    assert Problem.CERTIFICATE_REVOKED in report.problems


def test_an_edoc_signed_before_the_revocation_counts_and_one_signed_after_does_not(
    revoked: tuple[SigningKey, dt.datetime],
) -> None:
    signer, revoked_at = revoked
    files = {"pilnvara.txt": b"Pilnvara"}
    before = make_edoc(files, signer, signing_time=revoked_at - dt.timedelta(minutes=30))
    after = make_edoc(files, signer, signing_time=revoked_at + dt.timedelta(minutes=30))
    assert validate_document(before).valid
    report = validate_document(after)
    assert report.problems == (Problem.CERTIFICATE_REVOKED,)


def test_with_the_ocsp_responder_down_the_crl_still_finds_the_revoked_signer(
    revoked: tuple[SigningKey, dt.datetime], form_pdf: bytes, settings: Any
) -> None:
    settings.SIMULATOR_PKI_OCSP_DOWN = True
    signer, _ = revoked
    assert Problem.CERTIFICATE_REVOKED in validate_document(sign_pdf(form_pdf, signer)).problems


def test_when_no_revocation_status_can_be_had_the_document_does_not_count_yet(
    anna: SigningKey, form_pdf: bytes, settings: Any
) -> None:
    settings.SIMULATOR_PKI_OCSP_DOWN = True
    settings.SIMULATOR_PKI_CRL_DOWN = True
    report = validate_document(sign_pdf(form_pdf, anna))
    assert report.problems == (Problem.REVOCATION_UNAVAILABLE,)
