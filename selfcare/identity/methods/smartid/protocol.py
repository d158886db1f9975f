"""Smart-ID RP API v3 formulas, as pure functions (PROTOCOLS.md §1.2-§1.3).

Nothing here performs I/O. Each function follows one formula of SK's documentation
(``signature_protocols``, ``device_link_flows``, ``authcode``, ``notification_based_flows``) so it can be
checked against the docs line by line. Values that enter hashes (rpChallenge, the interactions Base64 string)
are passed as the exact strings sent to the API, never re-encoded, because re-encoding would change the bytes
that were signed.

The scheme name (``smart-id`` live; the demo environment lists ``smart-id-demo``, UNCONFIRMED which one it
signs) is always a parameter, taken from configuration.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Mapping, Sequence
from typing import Literal

SIGNATURE_PROTOCOL = "ACSP_V2"
SIGNATURE_ALGORITHM = "rsassa-pss"
DEFAULT_SCHEME_NAME = "smart-id"

DeviceLinkType = Literal["QR", "Web2App", "App2App"]
FlowType = Literal["QR", "Web2App", "App2App", "Notification"]

# In these flows the person's app never opens a callback URL, so the signed payload carries an empty one.
FLOWS_WITHOUT_CALLBACK = frozenset({"QR", "Notification"})

_PERSONAL_CODE = re.compile(r"\d{6}-?\d{5}")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _b64_text(text: str) -> str:
    return _b64(text.encode("utf-8"))


def new_rp_challenge() -> str:
    """Return a fresh rpChallenge: Base64 of 64 CSPRNG bytes, as SK's docs do (BASE64(CRYPTO-RANDOM(64)))."""
    return _b64(secrets.token_bytes(64))


def verification_code(rp_challenge_b64: str) -> str:
    """Return the 4-digit code shown to the person in notification flows.

    ``int(SHA-256(raw rpChallenge bytes)[-2:]) % 10000``, zero-padded. The person compares it with the code in
    their app; it binds the push they accept to the session in front of them.
    """
    digest = hashlib.sha256(base64.b64decode(rp_challenge_b64, validate=True)).digest()
    return f"{int.from_bytes(digest[-2:], 'big') % 10000:04d}"


def encode_interactions(interactions: Sequence[Mapping[str, object]]) -> str:
    """Return the ``interactions`` request value: Base64 of the compact JSON array, in order of preference.

    Store the returned string as it is: it enters the authCode and the signed payload, and a re-encoded copy
    (other key order, other spacing) would not match.
    """
    return _b64(json.dumps(list(interactions), separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def interactions_digest(interactions_b64: str) -> str:
    """``BASE64(SHA-256(interactions Base64 string))``: the form interactions take inside ACSP_V2."""
    return _b64(hashlib.sha256(interactions_b64.encode("ascii")).digest())


def acsp_v2_payload(
    *,
    scheme_name: str,
    server_random: str,
    rp_challenge: str,
    user_challenge: str,
    rp_name: str,
    brokered_rp_name: str,
    interactions_b64: str,
    interaction_type_used: str,
    initial_callback_url: str,
    flow_type: str,
) -> bytes:
    """Return the exact bytes the person's app signs in ACSP_V2 authentication.

    Fields joined by ``|``, UTF-8::

        scheme | ACSP_V2 | serverRandom | rpChallenge | userChallenge | B64(rpName) | B64(brokeredRpName) |
        B64(SHA-256(interactions)) | interactionTypeUsed | initialCallbackUrl | flowType

    Base64 inputs go in as received. For QR and Notification flows the callback URL is empty whatever the RP
    configured, because the app never used one; so a session offering both QR and Web2App verifies either way.
    """
    callback = "" if flow_type in FLOWS_WITHOUT_CALLBACK else initial_callback_url
    fields = (
        scheme_name,
        SIGNATURE_PROTOCOL,
        server_random,
        rp_challenge,
        user_challenge,
        _b64_text(rp_name),
        _b64_text(brokered_rp_name),
        interactions_digest(interactions_b64),
        interaction_type_used,
        callback,
        flow_type,
    )
    return "|".join(fields).encode("utf-8")


def device_link(
    *,
    device_link_base: str,
    link_type: DeviceLinkType,
    elapsed_seconds: int | None,
    session_token: str,
    lang: str,
    session_secret_b64: str,
    scheme_name: str,
    rp_challenge: str,
    rp_name: str,
    brokered_rp_name: str,
    interactions_b64: str,
    initial_callback_url: str,
    session_type: str = "auth",
) -> str:
    """Return a device link (QR content or Web2App/App2App URL) protected by its ``authCode``.

    ``session_type`` is ``auth`` for a login; signing's certificate choice names its own
    (``SMARTID_SIGNING_DEVICE_LINK_SESSION_TYPE``).

    The parameter order is fixed and nothing is URL-encoded, because the Smart-ID server recomputes the HMAC
    over the same string. ``elapsedSeconds`` belongs only to QR links, which must be rebuilt every second in
    the backend: the session secret is the HMAC key and never leaves the server.

    ``authCode = B64URL_nopad(HMAC-SHA256(b64decode(sessionSecret), scheme|ACSP_V2|rpChallenge|B64(rpName)|
    B64(brokeredRpName)|interactions|initialCallbackUrl|unprotectedDeviceLink))`` — interactions enter raw
    here, unlike in the signed payload.
    """
    if link_type == "QR":
        if elapsed_seconds is None or elapsed_seconds < 0:
            raise ValueError("a QR device link needs elapsed_seconds >= 0")
    elif elapsed_seconds is not None:
        raise ValueError("elapsed_seconds belongs only to QR device links")
    params = [f"deviceLinkType={link_type}"]
    if elapsed_seconds is not None:
        params.append(f"elapsedSeconds={elapsed_seconds}")
    params += [f"sessionToken={session_token}", f"sessionType={session_type}", "version=1.0", f"lang={lang}"]
    unprotected = f"{device_link_base}?{'&'.join(params)}"
    message = "|".join(
        (
            scheme_name,
            SIGNATURE_PROTOCOL,
            rp_challenge,
            _b64_text(rp_name),
            _b64_text(brokered_rp_name),
            interactions_b64,
            initial_callback_url,
            unprotected,
        )
    )
    key = base64.b64decode(session_secret_b64, validate=True)
    mac = hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()
    auth_code = base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")
    return f"{unprotected}&authCode={auth_code}"


def authentication_request_body(
    *,
    rp_uuid: str,
    rp_name: str,
    rp_challenge: str,
    certificate_level: Literal["QUALIFIED", "ADVANCED"],
    hash_algorithm: str = "SHA-512",
    interactions_b64: str,
    vc_type: bool = False,
    initial_callback_url: str | None = None,
    require_https: bool = True,
) -> dict[str, object]:
    """Return the JSON body of a v3 authentication request (device-link or notification).

    ``vc_type=True`` adds ``vcType: numeric4`` for notification flows. ``nonce`` is never sent: the API
    forbids it for authentication. ``initial_callback_url`` is for Web2App/App2App device links only.
    """
    if initial_callback_url is not None:
        check_callback_url(initial_callback_url, require_https=require_https)
    body: dict[str, object] = {
        "relyingPartyUUID": rp_uuid,
        "relyingPartyName": rp_name,
        "certificateLevel": certificate_level,
        "signatureProtocol": SIGNATURE_PROTOCOL,
        "signatureProtocolParameters": {
            "rpChallenge": rp_challenge,
            "signatureAlgorithm": SIGNATURE_ALGORITHM,
            "signatureAlgorithmParameters": {"hashAlgorithm": hash_algorithm},
        },
        "interactions": interactions_b64,
    }
    if vc_type:
        body["vcType"] = "numeric4"
    if initial_callback_url is not None:
        body["initialCallbackUrl"] = initial_callback_url
    return body


def check_callback_url(url: str, *, require_https: bool = True) -> None:
    """Raise ``ValueError`` unless ``url`` is a usable initialCallbackUrl: HTTPS, no '#' or '|', ≤1800 chars.

    ``|`` is the field separator of the signed payload, so a URL containing it could shift the fields.
    ``require_https=False`` is for the local demo only, whose portal runs on plain HTTP.
    """
    scheme_ok = url.startswith("https://") or (not require_https and url.startswith("http://"))
    if not scheme_ok or "#" in url or "|" in url or len(url) > 1800:
        raise ValueError("initialCallbackUrl must be HTTPS, without '#' or '|', at most 1800 characters")


def etsi_identifier(personal_code: str, country: str = "LV") -> str:
    """Return the ETSI semantics identifier for a personal code: ``PNOLV-DDDDDD-DDDDD``, ``PNOEE-DDDDDDDDDDD``,
    ``PNOLT-DDDDDDDDDDD`` (Smart-ID's three countries; only Latvian codes carry a hyphen).

    Accepts the 11 digits with or without the hyphen after the sixth digit.
    """
    if country not in ("LV", "EE", "LT"):
        raise ValueError("only Latvian, Estonian and Lithuanian personal codes are supported")
    if not _PERSONAL_CODE.fullmatch(personal_code):
        raise ValueError("a personal code is 11 digits, optionally DDDDDD-DDDDD")
    digits = personal_code.replace("-", "")
    return f"PNO{country}-{digits[:6]}-{digits[6:]}" if country == "LV" else f"PNO{country}-{digits}"
