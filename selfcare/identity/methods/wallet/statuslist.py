"""Whether a PID was revoked: the IETF Token Status List (draft-ietf-oauth-status-list-12) the credential points to.

The credential's ``status`` claim names ``{"status_list": {"idx": 7, "uri": "https://…"}}``; the list is a JWT
(``typ`` statuslist+jwt) signed by a trusted PID provider, whose ``status_list.lst`` is a zlib-compressed bit
string of ``bits`` bits per credential: 0 valid, 1 invalid (revoked), 2 suspended. A list that cannot be fetched
or believed fails the login (hard fail, as for certificates: SECURITY.md "Revocation").
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable, Mapping
from typing import Any

import httpx
from cryptography import x509

from selfcare import tls
from selfcare.identity.methods.base import BadResponse, Refused, Unavailable
from selfcare.identity.methods.wallet.sdjwt import (
    b64url_decode,
    signer_key,
    trusted_leaf,
    unverified_header,
    verify_signed,
)

VALID, INVALID, SUSPENDED = 0, 1, 2


def fetch_status_list(uri: str, *, timeout: float) -> str:
    """The status list token at ``uri`` (its body), or Unavailable("revocation_unavailable")."""
    if not uri.startswith(("https://", "http://")):
        raise BadResponse(reason="bad_status_uri")
    try:
        response = httpx.get(
            uri, headers={"Accept": "application/statuslist+jwt"}, timeout=timeout, verify=tls.client_context()
        )
    except httpx.HTTPError as error:
        raise Unavailable(reason="revocation_unavailable") from error
    if response.status_code != 200:
        raise Unavailable(reason="revocation_unavailable")
    return response.text.strip()


def check_status(
    status: Mapping[str, Any],
    *,
    trusted: tuple[x509.Certificate, ...],
    now: dt.datetime,
    fetch: Callable[[str], str],
) -> None:
    """Refused("revoked") or Refused("suspended") unless the credential's entry in its status list is valid."""
    reference = status.get("status_list")
    if not isinstance(reference, dict):
        raise BadResponse(reason="bad_status")
    index, uri = reference.get("idx"), reference.get("uri")
    if not isinstance(index, int) or index < 0 or not isinstance(uri, str):
        raise BadResponse(reason="bad_status")
    token = fetch(uri)
    try:
        leaf = trusted_leaf(unverified_header(token).get("x5c"), trusted, now)
        _, payload = verify_signed(token, signer_key(leaf), expected_typ={"statuslist+jwt"})
    except (Refused, BadResponse) as error:
        # A list nobody trusted signed tells nothing about the credential: its status is unknown.
        raise Unavailable(reason="revocation_unavailable") from error
    expires = payload.get("exp")
    if payload.get("sub") != uri or (isinstance(expires, int | float) and now.timestamp() >= expires):
        raise Unavailable(reason="revocation_unavailable")
    value = status_at(payload.get("status_list"), index)
    if value == SUSPENDED:
        raise Refused("suspended")
    if value != VALID:
        raise Refused("revoked")


def status_at(status_list: object, index: int) -> int:
    if not isinstance(status_list, dict):
        raise BadResponse(reason="bad_status_list")
    bits, lst = status_list.get("bits"), status_list.get("lst")
    if bits not in (1, 2, 4, 8) or not isinstance(lst, str) or not isinstance(bits, int):
        raise BadResponse(reason="bad_status_list")
    try:
        packed = zlib.decompress(b64url_decode(lst))
    except (zlib.error, ValueError) as error:
        raise BadResponse(reason="bad_status_list") from error
    position = index * bits
    if position // 8 >= len(packed):
        raise BadResponse(reason="status_index_out_of_range")
    return int((packed[position // 8] >> (position % 8)) & ((1 << bits) - 1))


def encode_status_list(values: list[int], *, bits: int = 1) -> dict[str, object]:
    """The ``status_list`` claim for these values (what a PID provider publishes; the simulator uses it)."""
    packed = bytearray((len(values) * bits + 7) // 8)
    for index, value in enumerate(values):
        position = index * bits
        packed[position // 8] |= value << (position % 8)
    import base64

    lst = base64.urlsafe_b64encode(zlib.compress(bytes(packed), 9)).rstrip(b"=").decode()
    return {"bits": bits, "lst": lst}
