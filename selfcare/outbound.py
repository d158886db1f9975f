"""The HTTP client the portal keeps open to an outside system: eID providers, the operator's TM Forum systems, the
mandate register, OCSP and CRL servers. (One-off calls, `httpx.get` and `httpx.post`, pool nothing.)

Two things every such client needs and no call site should forget:
- the system's CA bundle (`selfcare.tls.client_context`, read once per process);
- a connection pool that forgets an idle connection before the other side does. httpx keeps one for 5 s by default,
  gunicorn closes an idle one after 2 s and many servers after 5 s; a request sent on a connection the server is
  closing at that moment gets no answer at all (httpx raises RemoteProtocolError, encode/httpx#2983), which the
  portal can only report as "provider unreachable". Under `make load` that was one Smart-ID login start in ~8,000.
  With the pool's expiry below the server's keep-alive the client never sends on a connection the server may be
  closing. `OUTBOUND_KEEPALIVE_SECONDS` is the operator's knob: below the shortest keep-alive of the systems called.
"""

from __future__ import annotations

from typing import Any

import httpx
from django.conf import settings

from selfcare import tls


def limits() -> httpx.Limits:
    """httpx's default pool sizes with the idle expiry from configuration."""
    return httpx.Limits(
        max_connections=100, max_keepalive_connections=20, keepalive_expiry=settings.OUTBOUND_KEEPALIVE_SECONDS
    )


def client(**options: Any) -> httpx.Client:
    """An httpx.Client to an outside system; `options` are httpx.Client's (base_url, timeout, headers, transport …).

    A `transport` given here (a test's) replaces the pool, as in httpx itself."""
    return httpx.Client(verify=tls.client_context(), limits=limits(), **options)
