"""Check an authentication request body the way the RP API does (``RP-API_V3.yml``; PROTOCOLS.md §1.2).

Stricter than lenient: unknown top-level fields are refused too, because the point of the simulator is to catch
a portal that sends something SK would not accept (or would silently ignore) before it meets the real service.
Not checked: ``requestProperties`` and ``capabilities`` beyond being objects/lists.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Literal

from selfcare.identity.methods.smartid.protocol import SIGNATURE_ALGORITHM, SIGNATURE_PROTOCOL, check_callback_url
from selfcare.simulators.smartid import conf
from selfcare.simulators.smartid.problems import Problem

# SHA3 is allowed by the API but the signer (selfcare.simulators.pki.smartid_signer) and verifier support SHA-2 only.
HASH_ALGORITHMS = frozenset({"SHA-256", "SHA-384", "SHA-512"})
CERTIFICATE_LEVELS = frozenset({"ADVANCED", "QUALIFIED"})
# interaction type -> the text field it needs and that field's maximum length
INTERACTION_TEXTS = {
    "displayTextAndPIN": ("displayText60", 60),
    "confirmationMessage": ("displayText200", 200),
    "confirmationMessageAndVerificationCodeChoice": ("displayText200", 200),
}
NOTIFICATION_ONLY_INTERACTIONS = frozenset({"confirmationMessageAndVerificationCodeChoice"})
COMMON_FIELDS = frozenset(
    {
        "relyingPartyUUID",
        "relyingPartyName",
        "certificateLevel",
        "signatureProtocol",
        "signatureProtocolParameters",
        "interactions",
        "requestProperties",
        "capabilities",
    }
)

Kind = Literal["notification", "device-link"]


@dataclass(frozen=True)
class AuthenticationRequest:
    rp_name: str
    rp_challenge: str
    interactions_b64: str
    certificate_level: str
    hash_algorithm: str
    initial_callback_url: str


def _bad(detail: str) -> Problem:
    return Problem(400, detail)


def _object(value: object, name: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise _bad(f"{name} must be a JSON object")
    return value


def _string(body: dict[str, object], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise _bad(f"{name} is required and must be a non-empty string")
    return value


def parse_json(raw: bytes) -> dict[str, object]:
    try:
        return _object(json.loads(raw or b"null"), "the request body")
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise _bad("the request body is not JSON") from error


def check_relying_party(body: dict[str, object]) -> None:
    """401 unless the body names the configured relying party (SK: UUID plus registered name, and source IP)."""
    if body.get("relyingPartyUUID") != conf.rp_uuid() or body.get("relyingPartyName") != conf.rp_name():
        raise Problem(401, "relying party is not authorised (relyingPartyUUID/relyingPartyName)")


def _rp_challenge(parameters: dict[str, object]) -> str:
    challenge = _string(parameters, "rpChallenge")
    try:
        raw = base64.b64decode(challenge, validate=True)
    except (binascii.Error, ValueError) as error:
        raise _bad("signatureProtocolParameters.rpChallenge must be Base64") from error
    if not 32 <= len(raw) <= 64:
        raise _bad("signatureProtocolParameters.rpChallenge must encode 32 to 64 bytes")
    return challenge


def _hash_algorithm(parameters: dict[str, object]) -> str:
    if parameters.get("signatureAlgorithm") != SIGNATURE_ALGORITHM:
        raise _bad(f"signatureProtocolParameters.signatureAlgorithm must be {SIGNATURE_ALGORITHM!r}")
    algorithm_parameters = _object(
        parameters.get("signatureAlgorithmParameters"), "signatureProtocolParameters.signatureAlgorithmParameters"
    )
    hash_algorithm = algorithm_parameters.get("hashAlgorithm")
    if hash_algorithm not in HASH_ALGORITHMS:
        raise _bad(f"hashAlgorithm must be one of {sorted(HASH_ALGORITHMS)} (the simulator signs SHA-2 only)")
    return str(hash_algorithm)


def _interactions(body: dict[str, object], kind: Kind) -> str:
    interactions_b64 = _string(body, "interactions")
    try:
        interactions = json.loads(base64.b64decode(interactions_b64, validate=True))
    except (binascii.Error, ValueError) as error:
        raise _bad("interactions must be Base64 of a JSON array") from error
    if not isinstance(interactions, list) or not interactions:
        raise _bad("interactions must be a non-empty JSON array")
    for item in interactions:
        interaction = _object(item, "each interaction")
        kind_of = interaction.get("type")
        if kind_of not in INTERACTION_TEXTS:
            raise _bad(f"unknown interaction type {kind_of!r}")
        if kind == "device-link" and kind_of in NOTIFICATION_ONLY_INTERACTIONS:
            raise _bad(f"interaction {kind_of!r} is for notification flows only")
        text_field, limit = INTERACTION_TEXTS[str(kind_of)]
        text = interaction.get(text_field)
        if not isinstance(text, str) or not text or len(text) > limit:
            raise _bad(f"interaction {kind_of!r} needs {text_field} of 1 to {limit} characters")
    return interactions_b64


def _kind_specific(body: dict[str, object], kind: Kind) -> str:
    """Check vcType (notification) or initialCallbackUrl (device link); return the callback URL or ""."""
    if kind == "notification":
        if body.get("vcType") != "numeric4":
            raise _bad("vcType must be 'numeric4'")
        return ""
    callback = body.get("initialCallbackUrl")
    if callback is None:
        return ""  # a QR-only session may omit it (SK's flows page)
    if not isinstance(callback, str):
        raise _bad("initialCallbackUrl must be a string")
    try:
        # The simulator exists only in the demo, whose portal runs on plain HTTP.
        check_callback_url(callback, require_https=False)
    except ValueError as error:
        raise _bad(str(error)) from error
    return callback


def parse_authentication(body: dict[str, object], kind: Kind) -> AuthenticationRequest:
    """Return the request's values, or raise :class:`Problem` (400) naming the first thing wrong."""
    if "nonce" in body:
        raise _bad("nonce is not allowed in authentication requests")
    allowed = COMMON_FIELDS | ({"vcType"} if kind == "notification" else {"initialCallbackUrl"})
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise _bad(f"unknown fields: {', '.join(unknown)}")
    level = body.get("certificateLevel", "QUALIFIED")
    if level not in CERTIFICATE_LEVELS:
        raise _bad("certificateLevel must be ADVANCED or QUALIFIED")
    if body.get("signatureProtocol") != SIGNATURE_PROTOCOL:
        raise _bad(f"signatureProtocol must be {SIGNATURE_PROTOCOL!r}")
    parameters = _object(body.get("signatureProtocolParameters"), "signatureProtocolParameters")
    return AuthenticationRequest(
        rp_name=_string(body, "relyingPartyName"),
        rp_challenge=_rp_challenge(parameters),
        hash_algorithm=_hash_algorithm(parameters),
        interactions_b64=_interactions(body, kind),
        certificate_level=str(level),
        initial_callback_url=_kind_specific(body, kind),
    )
