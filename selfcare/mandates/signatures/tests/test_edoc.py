"""ASiC-E (.edoc): XAdES signatures over the container's files, verified with signxml and certvalidator."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from selfcare.mandates.signatures import DocumentKind, Problem, validate_document
from selfcare.simulators.pki.documents import (
    SigningKey,
    build_container,
    make_edoc,
    person_signer,
    xades_signature,
)
from selfcare.simulators.pki.testca import TestCA


def _entries(edoc: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(edoc)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _rezip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, body in entries.items():
            archive.writestr(name, body)
    return out.getvalue()


def test_an_edoc_signed_by_a_trusted_person_is_valid_and_shows_the_signed_pdf(
    anna: SigningKey, form_pdf: bytes
) -> None:
    report = validate_document(make_edoc({"pilnvara 2025.pdf": form_pdf}, anna))

    assert report.valid, report
    assert report.kind is DocumentKind.ASICE
    [signer] = report.signers
    assert (signer.name, signer.personal_code) == ("ANNA BĒRZIŅA", "15038512346")
    assert signer.signed_at is not None
    assert report.signed_content == form_pdf


def test_a_data_file_changed_after_signing_is_tampered(anna: SigningKey, form_pdf: bytes) -> None:
    entries = _entries(make_edoc({"pilnvara.pdf": form_pdf}, anna))
    entries["pilnvara.pdf"] = form_pdf.replace(b"Peteris", b"Mallory")

    report = validate_document(_rezip(entries))

    assert report.problems == (Problem.TAMPERED,)


def test_a_changed_signing_time_breaks_the_signature(anna: SigningKey, form_pdf: bytes) -> None:
    entries = _entries(make_edoc({"pilnvara.pdf": form_pdf}, anna))
    signature = entries["META-INF/signatures0.xml"]
    start = signature.index(b"<xades:SigningTime>") + len(b"<xades:SigningTime>")
    entries["META-INF/signatures0.xml"] = signature[:start] + b"2020-01-01T00:00:00Z" + signature[start + 20 :]

    report = validate_document(_rezip(entries))

    assert report.problems == (Problem.TAMPERED,)  # the SignedProperties digest no longer matches


def test_a_signed_file_removed_from_the_container_is_tampered(anna: SigningKey, form_pdf: bytes) -> None:
    entries = _entries(make_edoc({"pilnvara.pdf": form_pdf, "annex.txt": b"annex"}, anna))
    del entries["annex.txt"]

    assert validate_document(_rezip(entries)).problems == (Problem.TAMPERED,)


def test_a_file_added_that_no_signature_covers_makes_the_container_invalid(anna: SigningKey, form_pdf: bytes) -> None:
    entries = _entries(make_edoc({"pilnvara.pdf": form_pdf}, anna))
    entries["extra.pdf"] = form_pdf

    report = validate_document(_rezip(entries))

    assert report.signers[0].valid
    assert not report.valid
    assert report.problems == (Problem.NOT_COVERED,)


def test_an_edoc_signed_under_an_unknown_ca_is_an_untrusted_chain(ca: TestCA, form_pdf: bytes) -> None:
    stranger = person_signer(ca, "150385-12346", "Anna", "Bērziņa", untrusted=True)

    assert validate_document(make_edoc({"a.pdf": form_pdf}, stranger)).problems == (Problem.UNTRUSTED_CHAIN,)


def test_an_edoc_signed_now_with_an_expired_certificate_is_refused(ca: TestCA, form_pdf: bytes) -> None:
    expired = person_signer(ca, "150385-12346", "Anna", "Bērziņa", expired=True)

    assert validate_document(make_edoc({"a.pdf": form_pdf}, expired)).problems == (Problem.CERTIFICATE_EXPIRED,)


def test_an_edoc_signed_while_the_certificate_was_valid_counts_after_it_expired(ca: TestCA, form_pdf: bytes) -> None:
    expired = person_signer(ca, "150385-12346", "Anna", "Bērziņa", expired=True)
    # A month before the certificate ended, whenever that was (a kept test certificate may have ended long ago).
    while_valid = expired.certificate.not_valid_after_utc - dt.timedelta(days=30)

    assert validate_document(make_edoc({"a.pdf": form_pdf}, expired, signing_time=while_valid)).valid


def test_an_edoc_whose_signing_time_is_in_the_future_is_refused(anna: SigningKey, form_pdf: bytes) -> None:
    tomorrow = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)

    report = validate_document(make_edoc({"a.pdf": form_pdf}, anna, signing_time=tomorrow))

    assert report.problems == (Problem.SIGNING_TIME_IN_FUTURE,)


def test_a_signature_value_made_with_another_key_is_invalid(ca: TestCA, anna: SigningKey, form_pdf: bytes) -> None:
    other = person_signer(ca, "220790-18761", "Pēteris", "Kalniņš")
    # Anna's certificate, Pēteris's key: the SignatureValue does not verify with the certificate's key.
    forged = SigningKey(other.private_key, anna.certificate)
    files = {"a.pdf": form_pdf}
    signature = xades_signature(files, forged, mimetypes={"a.pdf": "application/pdf"})

    report = validate_document(build_container(files, [signature], mimetypes={"a.pdf": "application/pdf"}))

    assert report.problems == (Problem.SIGNATURE_INVALID,)


def test_two_signatures_in_one_container_are_each_reported(ca: TestCA, anna: SigningKey, form_pdf: bytes) -> None:
    peteris = person_signer(ca, "220790-18761", "Pēteris", "Kalniņš")
    files, types = {"a.pdf": form_pdf}, {"a.pdf": "application/pdf"}
    signatures = [xades_signature(files, anna, mimetypes=types), xades_signature(files, peteris, mimetypes=types)]

    report = validate_document(build_container(files, signatures, mimetypes=types))

    assert report.valid
    assert [s.personal_code for s in report.signers] == ["15038512346", "22079018761"]


def test_a_signature_with_an_unsigned_copy_of_its_properties_placed_first_is_refused(
    anna: SigningKey, form_pdf: bytes
) -> None:
    entries = _entries(make_edoc({"pilnvara.pdf": form_pdf}, anna))
    signature = entries["META-INF/signatures0.xml"]
    decoy = (
        b'<ds:Object><xades:QualifyingProperties><xades:SignedProperties Id="decoy"><xades:SignedSignatureProperties>'
        b"<xades:SigningTime>2020-01-01T00:00:00Z</xades:SigningTime>"
        b"</xades:SignedSignatureProperties></xades:SignedProperties></xades:QualifyingProperties></ds:Object>"
    )
    position = signature.index(b"<ds:Object>")
    entries["META-INF/signatures0.xml"] = signature[:position] + decoy + signature[position:]

    report = validate_document(_rezip(entries))

    assert report.problems == (Problem.MALFORMED,)
    assert report.signers[0].signed_at is None  # the decoy's time is never reported


def test_a_signature_canonicalised_inclusively_as_digidoc_does_is_valid(anna: SigningKey, form_pdf: bytes) -> None:
    files, types = {"pilnvara.pdf": form_pdf}, {"pilnvara.pdf": "application/pdf"}
    signature = xades_signature(files, anna, mimetypes=types, inclusive=True)
    assert b"REC-xml-c14n-20010315" in signature

    assert validate_document(build_container(files, [signature], mimetypes=types)).valid
