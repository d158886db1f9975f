"""The client's real address behind trusted proxies (load balancer, TLS terminator).

Behind a proxy REMOTE_ADDR is the proxy's own address: the rate limits would then count every person together,
and the audit trail would record the proxy. With `TRUSTED_PROXY_COUNT = n`, the address the outermost of our n
proxies saw is taken from `X-Forwarded-For` (each proxy appends the address it received from, so it is the n-th
entry from the right; entries further left are whatever the client claimed and are ignored). Hand-written
rather than a library: the whole rule is these lines, and the stdlib validates the address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def forwarded_client(forwarded_for: str, trusted_proxies: int) -> str | None:
    """The client address in an X-Forwarded-For value behind `trusted_proxies` proxies; None when unusable."""
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    if trusted_proxies <= 0 or len(hops) < trusted_proxies:
        return None
    candidate = hops[-trusted_proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


class ClientAddressMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.TRUSTED_PROXY_COUNT:
            client = forwarded_client(request.META.get("HTTP_X_FORWARDED_FOR", ""), settings.TRUSTED_PROXY_COUNT)
            if client is not None:
                request.META["REMOTE_ADDR"] = client
        return self.get_response(request)
