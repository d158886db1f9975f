"""Who signed, read from the signing certificate's subject (never from the document or a form).

The personal code comes from the subject serialNumber. ETSI EN 319 412-1 §5.1.3 gives it as a semantics
identifier, ``PNOLV-DDDDDD-DDDDD``; eParaksts certificates issued before it (and some eID card ones) carry the bare
code, ``DDDDDD-DDDDD`` or 11 digits. Both are accepted; any other type (``IDCLV-`` is a document number,
``PASLV-`` a passport) or another country gives no personal code rather than a misread one.
"""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID
from django.core.exceptions import ValidationError

from selfcare.identifiers import PersonalCode
from selfcare.mandates.signatures.report import Problem, Signer


def _attribute(certificate: x509.Certificate, oid: x509.ObjectIdentifier) -> str:
    values = certificate.subject.get_attributes_for_oid(oid)
    return str(values[0].value).strip() if values else ""


def signer_name(certificate: x509.Certificate) -> str:
    given, family = _attribute(certificate, NameOID.GIVEN_NAME), _attribute(certificate, NameOID.SURNAME)
    if given or family:
        return f"{given} {family}".strip()
    # Some certificates put "SURNAME,GIVENNAME" in CN only.
    common = _attribute(certificate, NameOID.COMMON_NAME)
    family, comma, given = common.partition(",")
    return f"{given.strip()} {family.strip()}" if comma else common


def signer_country(certificate: x509.Certificate) -> str:
    return _attribute(certificate, NameOID.COUNTRY_NAME).upper()


def personal_code(certificate: x509.Certificate) -> str | None:
    """The 11-digit Latvian personal code in the subject serialNumber, or None."""
    serial = _attribute(certificate, NameOID.SERIAL_NUMBER).upper()
    if not serial:
        return None
    if "-" in serial[:6] and not serial.startswith("PNOLV-"):
        return None  # another identifier type or another country's personal number
    try:
        return PersonalCode.parse(serial).code
    except ValidationError:
        return None


def fingerprint(certificate: x509.Certificate) -> str:
    return certificate.fingerprint(hashes.SHA256()).hex()


def signer_from(certificate: x509.Certificate | None, signed_at: dt.datetime | None, problems: list[Problem]) -> Signer:
    """The report's line for one signature, named from its certificate (nameless when none could be read)."""
    codes = tuple(dict.fromkeys(p.value for p in problems))
    if certificate is None:
        return Signer("", "", None, signed_at, "", valid=False, problems=codes)
    return Signer(
        name=signer_name(certificate),
        country=signer_country(certificate),
        personal_code=personal_code(certificate),
        signed_at=signed_at,
        certificate_sha256=fingerprint(certificate),
        valid=not codes,
        problems=codes,
    )
