"""HTTP helpers shared by the eID methods' clients."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx

from selfcare.identity.methods.base import BadResponse, Unavailable


def peer_certificate_sha256(response: httpx.Response) -> str | None:
    """SHA-256 (hex) of the TLS certificate the server presented for this response; None over plain HTTP."""
    stream = response.extensions.get("network_stream")
    ssl_object = stream.get_extra_info("ssl_object") if stream is not None else None
    # Positional: httpcore may hand out an ssl.SSLObject or the C-level socket, which takes no keywords.
    der = ssl_object.getpeercert(True) if ssl_object is not None else None
    return hashlib.sha256(der).hexdigest() if der else None


def check_tls_pin(response: httpx.Response, pins: tuple[str, ...]) -> None:
    """Refuse an answer from a server whose certificate is none of the pinned ones (no pins: nothing to check).

    Checked on every answer, before anything in it is read: a certificate swapped by an interceptor that the
    system store trusts must not be talked to. Raises Unavailable(reason="tls_pin_mismatch").
    """
    if pins and peer_certificate_sha256(response) not in pins:
        raise Unavailable(reason="tls_pin_mismatch")


def json_object(response: httpx.Response) -> dict[str, Any]:
    """The body of a 200 answer as a JSON object; anything else is a BadResponse (never believed)."""
    if response.status_code != 200:
        raise BadResponse(reason=f"http_{response.status_code}")
    try:
        data = response.json()
    except ValueError as error:
        raise BadResponse(reason="not_json") from error
    if not isinstance(data, dict):
        raise BadResponse(reason="not_an_object")
    return data
