"""Fetch revocation information over HTTP, with timeouts, and cache each answer for as long as it is valid.

Only fetching lives here: what an answer *means* (signature, responder authority, freshness, status) is decided by
pyhanko-certvalidator in :mod:`.check`. The OCSP answer is read here only for its status and ``nextUpdate``, to
know whether to fall back to the CRL and how long the answer may be cached.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Mapping

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID
from django.core.cache import cache

from selfcare import outbound

logger = logging.getLogger(__name__)

CACHE_PREFIX = "revocation:"


class RevocationFetcher:
    """Gets OCSP answers and CRLs named by certificates; ``mounts`` may route hosts to other transports (demo)."""

    def __init__(
        self,
        *,
        timeout: float,
        cache_max_seconds: int,
        mounts: Mapping[str, httpx.BaseTransport] | None = None,
    ) -> None:
        self.cache_max_seconds = cache_max_seconds
        self._http = outbound.client(timeout=httpx.Timeout(timeout), mounts=dict(mounts or {}), follow_redirects=False)

    def ocsp(self, certificate: x509.Certificate, issuer: x509.Certificate) -> bytes | None:
        """A successful OCSP answer (DER) for ``certificate`` from the responder its AIA names, or None."""
        for url in ocsp_urls(certificate):
            # SHA-1 only names the certificate in the request (RFC 6960's CertID default, what responders expect).
            request = ocsp.OCSPRequestBuilder().add_certificate(certificate, issuer, hashes.SHA1()).build()  # noqa: S303
            body = request.public_bytes(serialization.Encoding.DER)
            key = _key("ocsp", url, body)
            cached = cache.get(key)
            if isinstance(cached, bytes):
                return cached
            answer = self._post(url, body)
            if answer is None:
                continue
            try:
                parsed = ocsp.load_der_ocsp_response(answer)
            except ValueError:
                logger.warning("revocation: OCSP responder %s sent something that is not an OCSP response", url)
                continue
            if parsed.response_status is not ocsp.OCSPResponseStatus.SUCCESSFUL:
                logger.warning("revocation: OCSP responder %s answered %s", url, parsed.response_status.name)
                continue
            self._store(key, answer, parsed.next_update_utc)
            return answer
        return None

    def crls(self, certificate: x509.Certificate) -> list[bytes]:
        """The CRLs (DER) the certificate's distribution points name; empty if none could be fetched."""
        found = []
        for url in crl_urls(certificate):
            key = _key("crl", url, b"")
            cached = cache.get(key)
            if isinstance(cached, bytes):
                found.append(cached)
                continue
            answer = self._get(url)
            if answer is None:
                continue
            try:
                parsed = x509.load_der_x509_crl(answer)
            except ValueError:
                logger.warning("revocation: %s is not a DER CRL", url)
                continue
            self._store(key, answer, parsed.next_update_utc)
            found.append(answer)
        return found

    def _store(self, key: str, answer: bytes, next_update: dt.datetime | None) -> None:
        seconds = self.cache_max_seconds
        if next_update is not None:
            seconds = min(seconds, int((next_update - dt.datetime.now(dt.UTC)).total_seconds()))
        if seconds > 0:
            cache.set(key, answer, seconds)

    def _post(self, url: str, body: bytes) -> bytes | None:
        return self._send("POST", url, content=body, headers={"Content-Type": "application/ocsp-request"})

    def _get(self, url: str) -> bytes | None:
        return self._send("GET", url)

    def _send(self, method: str, url: str, **kwargs: object) -> bytes | None:
        try:
            response = self._http.request(method, url, **kwargs)  # type: ignore[arg-type]
        except httpx.HTTPError as error:
            logger.warning("revocation: %s %s failed: %s", method, url, type(error).__name__)
            return None
        if response.status_code != 200:
            logger.warning("revocation: %s %s answered HTTP %s", method, url, response.status_code)
            return None
        return response.content


def ocsp_urls(certificate: x509.Certificate) -> list[str]:
    try:
        aia = certificate.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    except x509.ExtensionNotFound:
        return []
    return [
        str(d.access_location.value)
        for d in aia
        if d.access_method == AuthorityInformationAccessOID.OCSP
        and isinstance(d.access_location, x509.UniformResourceIdentifier)
        and str(d.access_location.value).startswith(("http://", "https://"))
    ]


def crl_urls(certificate: x509.Certificate) -> list[str]:
    try:
        points = certificate.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    except x509.ExtensionNotFound:
        return []
    return [
        str(name.value)
        for point in points
        for name in point.full_name or ()
        if isinstance(name, x509.UniformResourceIdentifier) and str(name.value).startswith(("http://", "https://"))
    ]


def declares_revocation(certificate: x509.Certificate) -> bool:
    return bool(ocsp_urls(certificate) or crl_urls(certificate))


def _key(kind: str, url: str, body: bytes) -> str:
    return CACHE_PREFIX + kind + ":" + hashlib.sha256(url.encode() + b"\0" + body).hexdigest()
