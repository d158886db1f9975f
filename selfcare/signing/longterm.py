"""Long-term validity of a signature made in the portal (PAdES B-LT): a trusted timestamp and revocation data.

- :func:`timestamper`: the RFC 3161 time-stamping authority at ``SIGNING_TSA_URL`` (in the demo, the test PKI's
  TSA simulator), asked by pyHanko's HTTP client for the signature-time-stamp (B-T) when the CMS is built.
- :func:`add_revocation_data`: the OCSP answers (or, failing those, the CRLs) of every certificate of the newest
  signature and of its timestamp, fetched by the portal's revocation fetcher (``REVOCATION_*``), written with the
  certificates into the PDF's document security store (DSS) as an incremental update: B-LT. A validator can then
  check the signature without asking anyone, also after the certificates expire.

Without a TSA configured neither is done and the signature stays B-B (the validator checks revocation itself).
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped]
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.validation.dss import async_add_validation_info
from pyhanko_certvalidator import ValidationContext

from selfcare.config import pem_files
from selfcare.revocation import revocation_checker
from selfcare.signing.pades import run_sync


def tsa_url() -> str:
    """``SIGNING_TSA_URL``; in the demo the test PKI's TSA on the simulator service; "" = no timestamp."""
    configured = str(getattr(settings, "SIGNING_TSA_URL", ""))
    if configured or not settings.SELFCARE_DEMO:
        return configured
    return f"{settings.SELFCARE_SIMULATORS_URL}/simulators/pki/tsa"


# Room in the signature's placeholder for the CMS with a timestamp token and the TSA's certificate (bytes).
TIMESTAMPED_RESERVE = 24 * 1024


def bytes_reserved() -> int | None:
    """The placeholder size to prepare a PDF with: room for a timestamp when a TSA is configured."""
    return TIMESTAMPED_RESERVE if tsa_url() else None


def timestamper() -> HTTPTimeStamper | None:
    url = tsa_url()
    return HTTPTimeStamper(url, timeout=int(settings.REVOCATION_TIMEOUT_SECONDS) or 5) if url else None


def _anchors() -> list[asn1_x509.Certificate]:
    found: list[asn1_x509.Certificate] = []
    for path in pem_files(str(settings.SIGNED_DOCUMENT_TRUST_ANCHORS)):
        for certificate in x509.load_pem_x509_certificates(path.read_bytes()):
            found.append(asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER)))
    return found


def _revocation(
    certificates: Iterable[asn1_x509.Certificate], anchors: list[asn1_x509.Certificate]
) -> tuple[list[bytes], list[bytes]]:
    """OCSP answers (CRLs where OCSP gave none) for every certificate that is not an anchor."""
    fetcher = revocation_checker().fetcher
    known = {c.subject.dump(): c for c in [*anchors, *certificates]}
    anchor_subjects = {a.subject.dump() for a in anchors}
    ocsps: list[bytes] = []
    crls: list[bytes] = []
    for certificate in certificates:
        issuer = known.get(certificate.issuer.dump())
        if certificate.subject.dump() in anchor_subjects or issuer is None:
            continue
        leaf = x509.load_der_x509_certificate(certificate.dump())
        answer = fetcher.ocsp(leaf, x509.load_der_x509_certificate(issuer.dump()))
        if answer is not None:
            ocsps.append(answer)
        else:
            crls.extend(fetcher.crls(leaf))
    return ocsps, crls


async def _with_revocation_data(pdf: bytes) -> bytes:
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    signature = reader.embedded_signatures[-1]
    certificates = list(signature.signed_data["certificates"])
    unsigned = signature.signed_data["signer_infos"][0]["unsigned_attrs"]
    for attribute in unsigned if unsigned.native else []:
        if attribute["type"].native == "signature_time_stamp_token":
            certificates += list(attribute["values"][0]["content"]["certificates"])
    plain = [c.chosen for c in certificates if c.name == "certificate"]
    anchors = _anchors()
    ocsps, crls = _revocation(plain, anchors)
    context = ValidationContext(
        trust_roots=anchors,
        other_certs=plain,
        ocsps=ocsps,
        crls=crls,
        allow_fetching=False,
        moment=timezone.now(),
    )
    output = await async_add_validation_info(signature, context, output=io.BytesIO())
    output.seek(0)
    return bytes(output.read())


def add_revocation_data(pdf: bytes) -> bytes:
    """The PDF with the newest signature's certificates and revocation data in its DSS (see the module docstring)."""
    return run_sync(_with_revocation_data(pdf))
