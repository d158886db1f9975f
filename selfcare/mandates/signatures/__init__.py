"""Validation of uploaded signed documents: a PDF with PAdES signatures, or an eParaksts .edoc (ASiC-E, XAdES).

    report = validate_document(data)                     # trust anchors from settings, validated as of now
    report.valid, report.kind, report.signers[0].personal_code, report.problems
    MESSAGES[Problem(code)]                              # the translated text of a problem code

The kind is decided by content (magic bytes, zip structure), never by a file name. ``validate_document`` never
raises for bad input: every failure is a stable code in ``problems`` (see ``Problem``), so a refused document can
be kept for the record with its reasons. It raises only ``ImproperlyConfigured`` when the trust anchors cannot be
loaded.

What counts (see README "Signed documents"): the signing certificate chains to a configured trust anchor and was
valid at the signing time the signature claims, that time is not later than ``at`` (now); the signed bytes are
intact and nothing that matters was added afterwards; the signer was not revoked at that signing time (OCSP first,
CRL fallback, hard fail by default: see selfcare.revocation). Not checked: trusted timestamps (the signing time is
the signer's claim), qualified status (EU trusted lists), signature policies.
Signing tools for tests and the demo are in ``signing``.
"""

from selfcare.mandates.signatures.report import (
    MESSAGES,
    DocumentKind,
    Problem,
    Signer,
    ValidationReport,
    message,
)
from selfcare.mandates.signatures.validate import validate_document

__all__ = [
    "MESSAGES",
    "DocumentKind",
    "Problem",
    "Signer",
    "ValidationReport",
    "message",
    "validate_document",
]
