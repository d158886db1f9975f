"""Does a signing certificate chain to a configured trust anchor, valid at the signing time, meant for signing?

pyhanko-certvalidator builds and validates the path (RFC 5280) from the certificates the signature carries to the
anchors given; nothing comes from the system store. Revocation is a separate step once the path holds
(:func:`revocation_problem`): the signer must not have been revoked **at the signing time**, decided by
:mod:`selfcare.revocation` (OCSP first, CRL fallback; hard fail unless ``REVOCATION_MODE=soft``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
from collections.abc import Coroutine, Iterable, Sequence
from typing import Any, TypeVar

from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped]
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko_certvalidator import CertificateValidator, ValidationContext, errors

from selfcare.mandates.signatures.report import Problem
from selfcare.revocation import CertificateRevoked, RevocationUnavailable, revocation_checker

T = TypeVar("T")


def to_asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def to_cryptography(certificate: asn1_x509.Certificate) -> x509.Certificate:
    return x509.load_der_x509_certificate(certificate.dump())


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run pyHanko's async validation from sync code, also where an event loop already runs in this thread
    (Playwright's sync API in browser tests, an async view): there asyncio.run would refuse, so use a thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def validation_context(
    anchors: Sequence[x509.Certificate], other: Iterable[asn1_x509.Certificate], moment: dt.datetime
) -> ValidationContext:
    return ValidationContext(
        trust_roots=[to_asn1(a) for a in anchors],
        other_certs=list(other),
        moment=moment,
        allow_fetching=False,
        revocation_mode="soft-fail",
    )


def chain_problem(
    certificate: x509.Certificate,
    intermediates: Iterable[x509.Certificate],
    anchors: Sequence[x509.Certificate],
    moment: dt.datetime,
) -> Problem | None:
    """None when the certificate is trusted and usable for signing at ``moment``; otherwise why not."""
    context = validation_context(anchors, [to_asn1(c) for c in intermediates], moment)
    validator = CertificateValidator(to_asn1(certificate), validation_context=context)
    try:
        run_sync(validator.async_validate_path())
    except (errors.ExpiredError, errors.NotYetValidError):
        return Problem.CERTIFICATE_EXPIRED
    except (errors.PathBuildingError, errors.PathValidationError, errors.ValidationError):
        return Problem.UNTRUSTED_CHAIN
    return None if has_signing_key_usage(certificate) else Problem.CERTIFICATE_NOT_FOR_SIGNING


def revocation_problem(
    certificate: x509.Certificate,
    intermediates: Iterable[x509.Certificate],
    anchors: Sequence[x509.Certificate],
    moment: dt.datetime,
) -> Problem | None:
    """None when the signer's certificate (and any CA on its path) was not revoked at ``moment``, the signing time.

    Call only for a path that :func:`chain_problem` accepted. The signing time is the signer's claim (no trusted
    timestamps yet): a signature claiming a time before its certificate's revocation counts.
    """
    context = validation_context(anchors, [to_asn1(c) for c in intermediates], moment)
    try:
        path = run_sync(CertificateValidator(to_asn1(certificate), validation_context=context).async_validate_path())
    except (errors.PathBuildingError, errors.PathValidationError, errors.ValidationError):
        return Problem.UNTRUSTED_CHAIN
    chain = [to_cryptography(c) for c in path.iter_certs(include_root=True)][::-1]
    try:
        revocation_checker()(chain, moment=moment, at_signing_time=True)
    except CertificateRevoked:
        return Problem.CERTIFICATE_REVOKED
    except RevocationUnavailable:
        return Problem.REVOCATION_UNAVAILABLE
    return None


def has_signing_key_usage(certificate: x509.Certificate) -> bool:
    """Qualified signing certificates carry nonRepudiation (contentCommitment); authentication keys do not."""
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return bool(usage.content_commitment)
