"""Decide revocation with pyhanko-certvalidator from the answers :mod:`.fetch` brought (see the package docstring)."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import threading
from collections.abc import Callable, Coroutine, Hashable, Mapping, Sequence
from typing import Any, TypeVar

import httpx
from asn1crypto import x509 as asn1_x509  # type: ignore[import-untyped]
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import RevokedError, ValidationError
from pyhanko_certvalidator.path import ValidationPath
from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, RevocationCheckingPolicy, RevocationCheckingRule
from pyhanko_certvalidator.registry import SimpleTrustManager

from selfcare.revocation.fetch import RevocationFetcher, declares_revocation
from selfcare.settings_cache import settings_cached

logger = logging.getLogger(__name__)

MODES = ("hard", "soft")


class RevocationError(Exception):
    reason = "revocation"


class CertificateRevoked(RevocationError):
    """A verified OCSP answer or CRL says the certificate was revoked at or before the moment checked."""

    reason = "revoked"


class RevocationUnavailable(RevocationError):
    """No usable status: responder and CRL unreachable or answering nonsense. Hard fail refuses on this."""

    reason = "revocation_unavailable"


def run_without_io(coroutine: Coroutine[Any, Any, ValidationPath]) -> ValidationPath:
    """Run a validator coroutine that cannot wait on I/O (fetching disabled), without an event loop.

    With everything handed in up front the validator never suspends, so one ``send`` completes it; this costs no
    event loop per check and works inside async code too. Should a version suspend, fail closed.
    """
    try:
        coroutine.send(None)
    except StopIteration as finished:
        path: ValidationPath = finished.value
        return path
    coroutine.close()
    raise RuntimeError("certificate path validation tried to wait for I/O although fetching is disabled")


# Kept per thread: asn1crypto parses lazily and is not safe to parse from two threads at once (a half-filled list
# of children is visible to the other), so a parsed object is never handed to another thread.
_kept = threading.local()
_Made = TypeVar("_Made")
_KEPT_CERTIFICATES = 64


def asn1_certificate(der: bytes) -> asn1_x509.Certificate:
    """The validator's (asn1crypto) form of a DER certificate, parsed once per thread for the same bytes.

    asn1crypto keeps what it parsed on the object: the names' RFC 4518 string preparation (pyhanko-certvalidator
    compares and indexes certificates by name) is most of a path check's Python, and a fresh object per check pays
    it again. The object is only read: every check still validates the whole path, its signatures and the
    revocation answers itself. The CA certificates are a handful; a leaf is met twice within one login (path
    building, then this check, in the same thread). Certificates are public, so holding them is harmless.
    """
    return _kept_in_thread("certificates", der, lambda: asn1_x509.Certificate.load(der))


def _asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_certificate(certificate.public_bytes(serialization.Encoding.DER))


def trust_manager(anchors: Sequence[bytes]) -> SimpleTrustManager:
    """The validator's trust manager for these anchors (DER), built once per thread, as the validator would build
    it for every check; it only answers lookups once built."""
    return _kept_in_thread(
        "trust_managers",
        tuple(anchors),
        lambda: SimpleTrustManager.build(trust_roots=[asn1_certificate(der) for der in anchors]),
    )


def _kept_in_thread(kind: str, key: Hashable, build: Callable[[], _Made]) -> _Made:
    """What `build` makes for `key`, made once per thread and kept among at most _KEPT_CERTIFICATES of its kind
    (all dropped when full: they are a handful in use, so a full table is a sign of churn, not of need)."""
    kept: dict[Hashable, Any] | None = getattr(_kept, kind, None)
    if kept is None:
        kept = {}
        setattr(_kept, kind, kept)
    made: _Made | None = kept.get(key)
    if made is None:
        if len(kept) >= _KEPT_CERTIFICATES:
            kept.clear()
        made = kept[key] = build()
    return made


class RevocationChecker:
    """Check a validated chain (leaf first, anchor last) for revocation; see the package docstring."""

    def __init__(self, fetcher: RevocationFetcher, *, hard_fail: bool = True) -> None:
        self.fetcher = fetcher
        self.hard_fail = hard_fail

    def __call__(
        self, chain: Sequence[x509.Certificate], *, moment: dt.datetime, at_signing_time: bool = False
    ) -> None:
        if len(chain) < 2:
            raise ValueError("a chain to check has at least the certificate and its trust anchor")
        ocsps: list[bytes] = []
        crls: list[bytes] = []
        # Every certificate but the anchor, each with its issuer; OCSP first, the CRL only when OCSP gave nothing.
        for certificate, issuer in itertools.pairwise(chain):
            if not declares_revocation(certificate):
                continue
            answer = self.fetcher.ocsp(certificate, issuer)
            if answer is not None:
                ocsps.append(answer)
            if at_signing_time or answer is None:
                # For a signer the CRL is fetched as well: an OCSP answer "revoked since <after the signature>"
                # leaves pyhanko-certvalidator undecided, whereas the CRL's revocation date settles it.
                found = self.fetcher.crls(certificate)
                crls.extend(found)
                if not found and answer is None and certificate is chain[0]:
                    self._unavailable("neither the OCSP responder nor the CRL answered")
                    return
        leaf_rule, ca_rule = (
            (RevocationCheckingRule.CRL_OR_OCSP_REQUIRED, RevocationCheckingRule.CHECK_IF_DECLARED)
            if self.hard_fail
            else (RevocationCheckingRule.CHECK_IF_DECLARED_SOFT, RevocationCheckingRule.CHECK_IF_DECLARED_SOFT)
        )
        context = ValidationContext(
            trust_manager=trust_manager([chain[-1].public_bytes(serialization.Encoding.DER)]),
            other_certs=[_asn1(c) for c in chain[1:-1]],
            moment=moment,
            allow_fetching=False,
            ocsps=ocsps,
            crls=crls,
            # A signer is judged at its signing time with answers fetched later: an answer issued after that
            # moment still tells whether the certificate had been revoked by then (revocation time vs moment).
            revinfo_policy=CertRevTrustPolicy(
                RevocationCheckingPolicy(ee_certificate_rule=leaf_rule, intermediate_ca_cert_rule=ca_rule),
                retroactive_revinfo=at_signing_time,
            ),
        )
        validator = CertificateValidator(_asn1(chain[0]), validation_context=context)
        try:
            run_without_io(validator.async_validate_path())
        except RevokedError as error:
            raise CertificateRevoked(str(error)) from error
        except (ValidationError, ValueError) as error:
            # The answers arrived but do not establish the status (stale, wrong signer, unparseable).
            self._unavailable(f"revocation answers did not establish the status: {error}")

    def _unavailable(self, why: str) -> None:
        if self.hard_fail:
            raise RevocationUnavailable(why)
        logger.warning("revocation: %s; accepted because REVOCATION_MODE=soft", why)


class _Rerouted(httpx.BaseTransport):
    """Sends a request for ``source…`` to ``target…`` instead, over ordinary HTTP."""

    def __init__(self, source: str, target: str) -> None:
        self.source, self.target = source, target
        self._http = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        rest = str(request.url).removeprefix(self.source)
        request.url = httpx.URL(self.target + rest)
        request.headers["Host"] = request.url.netloc.decode("ascii")
        return self._http.handle_request(request)


def rerouted_mounts(url_map: Mapping[str, str]) -> dict[str, httpx.BaseTransport]:
    """``REVOCATION_URL_MAP``: OCSP and CRL addresses certificates name, fetched from elsewhere (an operator's
    caching proxy; in the demo, the test PKI's made-up host answered by the simulator service)."""
    return {source.rstrip("/"): _Rerouted(source.rstrip("/"), target.rstrip("/")) for source, target in url_map.items()}


@settings_cached
def revocation_checker() -> RevocationChecker:
    """The checker configured by ``REVOCATION_*`` settings (README "Configuration"), built once per process."""
    mode = str(getattr(settings, "REVOCATION_MODE", "hard"))
    if mode not in MODES:
        raise ImproperlyConfigured("REVOCATION_MODE must be 'hard' (production default) or 'soft'.")
    fetcher = RevocationFetcher(
        timeout=float(getattr(settings, "REVOCATION_TIMEOUT_SECONDS", 5)),
        cache_max_seconds=int(getattr(settings, "REVOCATION_CACHE_MAX_SECONDS", 3600)),
        mounts=rerouted_mounts(getattr(settings, "REVOCATION_URL_MAP", {})),
    )
    return RevocationChecker(fetcher, hard_fail=mode == "hard")
