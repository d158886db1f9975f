"""One TLS client context per process for the portal's outgoing HTTPS calls (eID providers, OCSP and CRLs, the
operator's systems, the SMS gateway).

httpx builds a new SSLContext for every Client it makes, loading certifi's CA bundle each time: about 30 ms of CPU,
more than the rest of a login step. The portal made a client per Smart-ID step, per revocation check and per SMS,
so under load most of a login's CPU went to re-reading the same certificates. The context is httpx's own default
(`httpx.create_ssl_context()`: certifi, or SSL_CERT_FILE / SSL_CERT_DIR when set), made once; an SSLContext may be
shared by connections in many threads, and nothing changes it after it is made. It is kept per value of those two
variables, which httpx reads at each client's making, so a changed trust store is still honoured.
"""

from __future__ import annotations

import functools
import os
import ssl

import httpx


def client_context() -> ssl.SSLContext:
    return _context(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))


@functools.lru_cache(maxsize=4)
def _context(cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    return httpx.create_ssl_context()  # reads the same two variables
