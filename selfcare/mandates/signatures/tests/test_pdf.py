"""PAdES: a PDF signed with pyHanko is validated with pyHanko, and everything that breaks it is named."""

from __future__ import annotations

import datetime as dt
import io

from cryptography.hazmat.primitives import hashes
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from selfcare.mandates.signatures import DocumentKind, Problem, validate_document
from selfcare.simulators.pki.documents import SigningKey, person_signer, sign_pdf
from selfcare.simulators.pki.testca import TestCA


def test_a_pdf_signed_by_a_trusted_person_is_valid_with_their_name_code_and_time(
    anna: SigningKey, form_pdf: bytes
) -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    signed = sign_pdf(form_pdf, anna)

    report = validate_document(signed)

    assert report.valid, report
    assert report.kind is DocumentKind.PDF
    [signer] = report.signers
    assert (signer.name, signer.country, signer.personal_code) == ("ANNA BĒRZIŅA", "LV", "15038512346")
    assert signer.signed_at is not None
    assert before <= signer.signed_at <= dt.datetime.now(dt.UTC)
    assert signer.certificate_sha256 == anna.certificate.fingerprint(hashes.SHA256()).hex()
    assert report.signed_content == signed


def test_a_byte_changed_inside_the_signed_range_is_tampered(anna: SigningKey, form_pdf: bytes) -> None:
    signed = bytearray(sign_pdf(form_pdf, anna))
    position = signed.index(b"Peteris")
    signed[position] = ord("J")

    report = validate_document(bytes(signed))

    assert not report.valid
    assert report.problems == (Problem.TAMPERED,)


def test_a_signature_from_an_unknown_ca_is_an_untrusted_chain(ca: TestCA, form_pdf: bytes) -> None:
    stranger = person_signer(ca, "150385-12346", "Anna", "Bērziņa", untrusted=True)

    report = validate_document(sign_pdf(form_pdf, stranger))

    assert not report.valid
    assert report.problems == (Problem.UNTRUSTED_CHAIN,)
    assert report.signers[0].personal_code == "15038512346"  # who claims to sign is still shown


def test_a_signature_made_with_an_expired_certificate_is_refused(ca: TestCA, form_pdf: bytes) -> None:
    expired = person_signer(ca, "150385-12346", "Anna", "Bērziņa", expired=True)

    report = validate_document(sign_pdf(form_pdf, expired))

    assert report.problems == (Problem.CERTIFICATE_EXPIRED,)


def test_a_signature_made_while_the_certificate_was_valid_stays_valid_after_it_expires(
    anna: SigningKey, form_pdf: bytes
) -> None:
    signed = sign_pdf(form_pdf, anna)
    after_expiry = anna.certificate.not_valid_after_utc + dt.timedelta(days=30)

    assert validate_document(signed, at=after_expiry).valid


def test_a_signing_time_later_than_the_validation_time_is_refused(anna: SigningKey, form_pdf: bytes) -> None:
    signed = sign_pdf(form_pdf, anna)

    report = validate_document(signed, at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))

    assert Problem.SIGNING_TIME_IN_FUTURE in report.problems


def test_a_pdf_without_a_signature_says_so(form_pdf: bytes) -> None:
    report = validate_document(form_pdf)

    assert (report.kind, report.problems, report.valid) == (DocumentKind.PDF, (Problem.NO_SIGNATURE,), False)


def test_an_incremental_update_after_signing_that_changes_the_page_is_detected(
    anna: SigningKey, form_pdf: bytes
) -> None:
    signed = sign_pdf(form_pdf, anna)
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    new_content = generic.StreamObject(stream_data=b"BT /F1 12 Tf 72 700 Td (Rights to Mallory instead) Tj ET")
    page["/Contents"] = writer.add_object(new_content)
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]

    report = validate_document(out.getvalue())

    assert not report.valid
    assert report.problems == (Problem.MODIFIED_AFTER_SIGNING,)
    # What was signed is still there to show: the revision the signature covers.
    assert report.signed_content == signed


def test_a_second_signature_added_later_keeps_both_valid(ca: TestCA, anna: SigningKey, form_pdf: bytes) -> None:
    peteris = person_signer(ca, "220790-18761", "Pēteris", "Kalniņš")

    report = validate_document(sign_pdf(sign_pdf(form_pdf, anna), peteris))

    assert report.valid, report
    assert [s.personal_code for s in report.signers] == ["15038512346", "22079018761"]
