"""Answer OCSP requests and publish CRLs for the test PKI, from its revocation registry (``TestCA.revoked``).

Each CA of the test PKI answers for the certificates it issued: OCSP answers are signed by the issuing CA itself
(RFC 6960 §2.6 allows it, and it spares a responder certificate), CRLs by the CA they are of. Both are built with
the ``cryptography`` package; the portal verifies them with pyhanko-certvalidator, as it verifies real ones.

The functions are pure (bytes in, bytes out), so the Django views here and the portal's in-process route to
``http://pki.selfcare.test/`` (demo mode, see selfcare/revocation/fetch.py) serve exactly the same answers.

Settings, for tests and demonstrations of a failing infrastructure:
``SIMULATOR_PKI_OCSP_DOWN`` (the responder answers 503) and ``SIMULATOR_PKI_CRL_DOWN`` (CRLs answer 503).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from django.conf import settings

from selfcare.simulators.pki.testca import Issued, TestCA
from selfcare.simulators.smartid.pki import test_ca

# How long an answer is good for: the portal caches it that long.
VALIDITY = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _unavailable() -> Answer:
    return Answer(503, "text/plain", b"temporarily unavailable")


def _by_key_hash(ca: TestCA, key_hash: bytes) -> Issued | None:
    for authority in ca.authorities.values():
        digest = x509.SubjectKeyIdentifier.from_public_key(authority.certificate.public_key()).digest
        if digest == key_hash:
            return authority
    return None


def ocsp_answer(request_der: bytes, *, ca: TestCA | None = None) -> Answer:
    """The DER OCSP response to a DER OCSP request (one certificate per request, as the portal sends)."""
    if getattr(settings, "SIMULATOR_PKI_OCSP_DOWN", False):
        return _unavailable()
    ca = ca or test_ca()
    try:
        request = ocsp.load_der_ocsp_request(request_der)
    except ValueError:
        return _error(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
    issuer = _by_key_hash(ca, request.issuer_key_hash) if isinstance(request.hash_algorithm, hashes.SHA1) else None
    if issuer is None:
        return _error(ocsp.OCSPResponseStatus.UNAUTHORIZED)
    now = _now()
    revoked_at = ca.revoked(issuer.certificate.subject).get(request.serial_number)
    builder = ocsp.OCSPResponseBuilder().add_response_by_hash(
        issuer_name_hash=request.issuer_name_hash,
        issuer_key_hash=request.issuer_key_hash,
        serial_number=request.serial_number,
        algorithm=hashes.SHA1(),  # noqa: S303 - the CertID hash the request used, not a signature
        cert_status=ocsp.OCSPCertStatus.GOOD if revoked_at is None else ocsp.OCSPCertStatus.REVOKED,
        this_update=now,
        next_update=now + VALIDITY,
        revocation_time=revoked_at,
        revocation_reason=None if revoked_at is None else x509.ReasonFlags.key_compromise,
    )
    builder = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, issuer.certificate)
    for extension in request.extensions:
        if isinstance(extension.value, x509.OCSPNonce):
            builder = builder.add_extension(extension.value, critical=False)
    response = builder.sign(issuer.private_key, hashes.SHA256())
    return Answer(200, "application/ocsp-response", response.public_bytes(serialization.Encoding.DER))


def _error(status: ocsp.OCSPResponseStatus) -> Answer:
    response = ocsp.OCSPResponseBuilder.build_unsuccessful(status)
    return Answer(200, "application/ocsp-response", response.public_bytes(serialization.Encoding.DER))


def crl(label: str, *, ca: TestCA | None = None) -> Answer:
    """The current DER CRL of the CA ``label`` (e.g. ``smartid-issuing-ca``), listing what it revoked."""
    if getattr(settings, "SIMULATOR_PKI_CRL_DOWN", False):
        return _unavailable()
    ca = ca or test_ca()
    authority = ca.authorities.get(label)
    if authority is None:
        return Answer(404, "text/plain", b"no such CA")
    now = _now()
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(authority.certificate.subject)
        .last_update(now)
        .next_update(now + VALIDITY)
        .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(authority.private_key.public_key()), critical=False
        )
    )
    for serial, when in ca.revoked(authority.certificate.subject).items():
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(when)
            .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False)
            .build()
        )
    signed = builder.sign(authority.private_key, hashes.SHA256())
    return Answer(200, "application/pkix-crl", signed.public_bytes(serialization.Encoding.DER))
