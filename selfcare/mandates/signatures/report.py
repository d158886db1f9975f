"""What validating a signed document tells: the kind of document, each signer, and stable problem codes.

Problems are codes, not exceptions: a document that fails is still kept for the record with its reasons
(SECURITY.md "Documents"), so the caller always gets a report back, never an exception, for any input bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise


class DocumentKind(StrEnum):
    PDF = "pdf"  # a PDF with PAdES (CMS) signature(s)
    ASICE = "asice"  # an ASiC-E container (eParaksts .edoc) with XAdES signature(s)


class Problem(StrEnum):
    """Stable codes: pages and the API key on them, messages may be reworded (see MESSAGES)."""

    # about the document as a whole
    TOO_LARGE = "too_large"  # over SIGNED_DOCUMENT_MAX_BYTES, or a container that would unpack to more
    NOT_A_DOCUMENT = "not_a_document"  # neither a PDF nor an ASiC-E container, whatever its name says
    UNSUPPORTED = "unsupported"  # recognised, but a form we do not validate (encrypted PDF, ASiC-S, CAdES in ASiC)
    MALFORMED = "malformed"  # a PDF or container that cannot be read: broken structure, bad XML, too many entries
    NO_SIGNATURE = "no_signature"  # a readable document that carries no signature at all
    # about one signature (also repeated on the report when they make it invalid)
    TAMPERED = "tampered"  # the signed bytes changed: a digest does not match, a signed file is missing
    MODIFIED_AFTER_SIGNING = "modified_after_signing"  # a PDF revision added after signing changes the content
    NOT_COVERED = "not_covered"  # a data file in the container that no valid signature covers (.edoc only)
    SIGNATURE_INVALID = "signature_invalid"  # the signature value does not verify with the certificate's key
    UNTRUSTED_CHAIN = "untrusted_chain"  # the certificate does not chain to a configured trust anchor
    CERTIFICATE_EXPIRED = "certificate_expired"  # not valid at the signing time (expired or not yet valid)
    CERTIFICATE_NOT_FOR_SIGNING = "certificate_not_for_signing"  # key usage lacks nonRepudiation
    SIGNING_TIME_IN_FUTURE = "signing_time_in_future"  # the claimed signing time is later than the validation time
    CERTIFICATE_REVOKED = "certificate_revoked"  # revoked at or before the signing time (OCSP or CRL says so)
    REVOCATION_UNAVAILABLE = "revocation_unavailable"  # no OCSP/CRL answer: the status cannot be checked now


MESSAGES: dict[Problem, StrPromise] = {
    Problem.TOO_LARGE: _("The file is too large."),
    Problem.NOT_A_DOCUMENT: _("This is not a signed PDF or an eParaksts .edoc container."),
    Problem.UNSUPPORTED: _("This kind of signed document is not supported. Upload a signed PDF or an .edoc file."),
    Problem.MALFORMED: _("The file is damaged or built in a way that cannot be checked safely."),
    Problem.NO_SIGNATURE: _("The document has no electronic signature."),
    Problem.TAMPERED: _("The document was changed after it was signed: its signature no longer matches it."),
    Problem.MODIFIED_AFTER_SIGNING: _("Content was added to or changed in the document after it was signed."),
    Problem.NOT_COVERED: _("Part of the file is not covered by any signature."),
    Problem.SIGNATURE_INVALID: _("The signature is not valid."),
    Problem.UNTRUSTED_CHAIN: _("The signer's certificate is not issued by a trusted certification authority."),
    Problem.CERTIFICATE_EXPIRED: _("The signer's certificate was not valid at the time of signing."),
    Problem.CERTIFICATE_NOT_FOR_SIGNING: _("The signer's certificate is not meant for electronic signatures."),
    Problem.SIGNING_TIME_IN_FUTURE: _("The signing time lies in the future."),
    Problem.CERTIFICATE_REVOKED: _("The signer's certificate had been revoked when the document was signed."),
    Problem.REVOCATION_UNAVAILABLE: _(
        "Whether the signer's certificate was revoked cannot be checked right now. Upload the document again later."
    ),
}


def message(code: str) -> StrPromise:
    """The translated message for a problem code; an unknown code gets the generic invalid-signature text."""
    try:
        return MESSAGES[Problem(code)]
    except ValueError:
        return MESSAGES[Problem.SIGNATURE_INVALID]


@dataclass(frozen=True)
class Signer:
    """One signature and who made it, as read from the signing certificate (never from a form)."""

    name: str  # "GIVEN SURNAME" from the certificate subject (GN + SN, else CN)
    country: str  # subject C, e.g. "LV"
    personal_code: str | None  # 11 digits, from subject serialNumber (PNOLV-…); None when absent or not Latvian
    signed_at: datetime | None  # the signing time the signature claims (aware, UTC); None when it carries none
    certificate_sha256: str  # hex SHA-256 of the signing certificate (DER)
    valid: bool
    problems: tuple[str, ...]  # Problem values; empty when valid


@dataclass(frozen=True)
class ValidationReport:
    kind: DocumentKind | None  # None when the content is neither kind
    signers: tuple[Signer, ...]
    problems: tuple[str, ...]  # Problem values about the document as a whole (plus every signer's, deduplicated)
    signed_content: bytes | None  # the signed PDF revision / the container's main data file, to show what was signed

    @property
    def valid(self) -> bool:
        """At least one signer, every signature valid, and no problem with the document."""
        return bool(self.signers) and all(s.valid for s in self.signers) and not self.problems

    @property
    def messages(self) -> list[StrPromise]:
        return [message(code) for code in self.problems]
