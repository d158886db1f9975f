"""Verifying a PID presented as an SD-JWT VC (IETF SD-JWT, RFC 9901; SD-JWT VC draft 10; HAIP 1.0), check by check.

Written here on joserfc rather than with the ``sd-jwt`` reference package: that package (last release 2024-02)
follows an older draft, brings jwcrypto and PyYAML beside the joserfc the project already uses, and checks neither
the issuer's certificate, the ``typ``, the validity dates nor the status, so most of these checks would be ours
anyway. What is checked, in order, each failure a :class:`Refused` with its own reason:

1. the form ``<issuer-signed JWT>~<disclosure>~…~<KB-JWT>`` (a key-binding JWT is required);
2. the issuer: ``typ`` dc+sd-jwt, ES256, an ``x5c`` chain ending at a configured PID provider ("untrusted_issuer",
   "certificate_expired"), the signature ("bad_signature");
3. validity: ``exp`` passed ("credential_expired"), ``nbf``/``iat`` in the future ("credential_not_yet_valid");
4. disclosures: each hashes (sha-256) to a digest the issuer signed, once ("disclosure_tampered");
5. key binding: the KB-JWT is signed by the key in ``cnf`` ("key_binding"), its ``sd_hash`` covers exactly what
   was presented ("key_binding"), its ``nonce`` is ours ("wrong_nonce"), its ``aud`` is our client id
   ("wrong_audience"), its ``iat`` recent ("key_binding_stale");
6. status: ``check_status`` is called with the credential's ``status`` claim (statuslist.py).

Not checked: that ``iss`` names the certificate's subject (the certificate is what is trusted), and the SD-JWT VC
type metadata (``vct#integrity``): the portal reads only the PID's named claims.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

from selfcare.identity.methods.base import BadResponse, Refused

ALGORITHMS = ["ES256"]  # HAIP 1.0 §7: ES256 for issuer and key binding
ISSUER_TYPES = {"dc+sd-jwt", "vc+sd-jwt"}  # vc+sd-jwt: the name before SD-JWT VC draft 06, still sent by some wallets
# joserfc refuses headers over 512 bytes by default; an x5c chain of two or three certificates is a few kilobytes.
REGISTRY = jws.JWSRegistry(algorithms=ALGORITHMS)
REGISTRY.max_header_length = 16_384
KB_MAX_AGE = dt.timedelta(minutes=5)
CLOCK_SKEW = dt.timedelta(seconds=60)


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def digest(text: str) -> str:
    return b64url(hashlib.sha256(text.encode("ascii")).digest())


def trusted_leaf(x5c: object, trusted: tuple[x509.Certificate, ...], now: dt.datetime) -> x509.Certificate:
    """The signer's certificate, once its ``x5c`` chain reaches a trusted PID provider (itself or its issuer).

    Written by hand because the trust decision is this small: a trusted list names providers' certificates or
    their CAs (ETSI TS 119 602 lists), there is no path building or policy to do.
    """
    if not isinstance(x5c, list) or not x5c or not all(isinstance(c, str) for c in x5c):
        raise Refused("untrusted_issuer")
    try:
        chain = [x509.load_der_x509_certificate(base64.b64decode(c)) for c in x5c]
    except ValueError as error:
        raise BadResponse(reason="bad_x5c") from error
    for certificate in chain:
        if now > certificate.not_valid_after_utc:
            raise Refused("certificate_expired")
        if now < certificate.not_valid_before_utc:
            raise Refused("certificate_not_yet_valid")
    current, rest = chain[0], chain[1:]
    while True:
        if current in trusted or any(_issued_by(current, anchor) for anchor in trusted):
            return chain[0]
        if not rest or not _issued_by(current, rest[0]):
            raise Refused("untrusted_issuer")
        current, rest = rest[0], rest[1:]


def _issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        certificate.verify_directly_issued_by(issuer)
    except (InvalidSignature, ValueError, TypeError):  # a wrong signature or another key type: not issued by it
        return False
    return True


def signer_key(certificate: x509.Certificate) -> ECKey:
    """The certificate's key for ES256 (HAIP 1.0); any other key type cannot have signed what we accept."""
    key = certificate.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise Refused("protocol", "not an EC key")
    return ECKey.import_key(key)


def verify_signed(token: str, key: ECKey, *, expected_typ: set[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and payload of a compact JWS signed by ``key`` with ES256 and one of the ``typ`` expected."""
    header = unverified_header(token)
    if header.get("typ") not in expected_typ:
        raise Refused("protocol", f"typ {header.get('typ')!r}")
    try:
        verified = jws.deserialize_compact(token, key, registry=REGISTRY)
    except JoseError as error:
        raise Refused("bad_signature") from error
    payload = json.loads(verified.payload)
    if not isinstance(payload, dict):
        raise BadResponse(reason="not_an_object")
    return dict(verified.headers()), payload


def unverified_header(token: str) -> dict[str, Any]:
    try:
        header = json.loads(b64url_decode(token.split(".")[0]))
    except (ValueError, IndexError) as error:
        raise BadResponse(reason="not_a_jwt") from error
    if not isinstance(header, dict):
        raise BadResponse(reason="not_a_jwt")
    return header


def verify_presentation(
    presentation: str,
    *,
    trusted: tuple[x509.Certificate, ...],
    nonce: str,
    audience: str,
    now: dt.datetime,
    check_status: Callable[[Mapping[str, Any]], None],
) -> dict[str, Any]:
    """The claims of a verified SD-JWT VC presentation (disclosed claims merged in; ``_sd``, ``cnf`` removed)."""
    parts = presentation.split("~")
    if len(parts) < 2 or not parts[0] or not parts[-1]:
        raise Refused("key_binding", "no key-binding JWT")
    issuer_jwt, disclosures, kb_jwt = parts[0], parts[1:-1], parts[-1]
    header = unverified_header(issuer_jwt)
    leaf = trusted_leaf(header.get("x5c"), trusted, now)
    _, payload = verify_signed(issuer_jwt, signer_key(leaf), expected_typ=ISSUER_TYPES)
    _check_validity(payload, now)
    claims = _disclose(payload, disclosures)
    _check_key_binding(payload, kb_jwt, presentation[: -len(kb_jwt)], nonce=nonce, audience=audience, now=now)
    status = payload.get("status")
    if status is not None:
        if not isinstance(status, dict):
            raise BadResponse(reason="bad_status")
        check_status(status)
    for name in ("_sd_alg", "cnf", "status"):
        claims.pop(name, None)
    return claims


def _timestamp(payload: Mapping[str, Any], name: str) -> dt.datetime | None:
    value = payload.get(name)
    if value is None:
        return None
    if not isinstance(value, int | float):
        raise BadResponse(reason=f"bad_{name}")
    return dt.datetime.fromtimestamp(value, tz=dt.UTC)


def _check_validity(payload: Mapping[str, Any], now: dt.datetime) -> None:
    expires = _timestamp(payload, "exp")
    if expires is not None and now >= expires + CLOCK_SKEW:
        raise Refused("credential_expired")
    for name in ("nbf", "iat"):
        moment = _timestamp(payload, name)
        if moment is not None and moment > now + CLOCK_SKEW:
            raise Refused("credential_not_yet_valid")


def _disclose(payload: dict[str, Any], disclosures: list[str]) -> dict[str, Any]:
    if payload.get("_sd_alg", "sha-256") != "sha-256":
        raise Refused("protocol", "unsupported _sd_alg")
    by_digest: dict[str, list[Any]] = {}
    for disclosure in disclosures:
        try:
            decoded = json.loads(b64url_decode(disclosure))
        except ValueError as error:
            raise Refused("disclosure_tampered") from error
        if not isinstance(decoded, list) or len(decoded) not in (2, 3):
            raise Refused("disclosure_tampered")
        by_digest[digest(disclosure)] = decoded
    used: set[str] = set()
    claims = _reveal(payload, by_digest, used)
    if used != set(by_digest) or len(by_digest) != len(disclosures):
        # A disclosure the issuer never signed (altered, or added), or one presented twice.
        raise Refused("disclosure_tampered")
    if not isinstance(claims, dict):
        raise BadResponse(reason="not_an_object")
    return claims


def _reveal(value: Any, by_digest: Mapping[str, list[Any]], used: set[str]) -> Any:
    """RFC 9901 §7.1: replace each digest by the claim its disclosure holds, recursively."""
    if isinstance(value, list):
        out = []
        for item in value:
            if isinstance(item, dict) and set(item) == {"..."}:
                found = by_digest.get(item["..."])
                if found is not None:
                    if len(found) != 2 or item["..."] in used:
                        raise Refused("disclosure_tampered")
                    used.add(item["..."])
                    out.append(_reveal(found[1], by_digest, used))
                continue
            out.append(_reveal(item, by_digest, used))
        return out
    if not isinstance(value, dict):
        return value
    out_dict = {k: _reveal(v, by_digest, used) for k, v in value.items() if k != "_sd"}
    for hashed in value.get("_sd", []):
        found = by_digest.get(hashed)
        if found is None:
            continue  # a claim the holder chose not to disclose, or a decoy digest
        if len(found) != 3 or hashed in used or not isinstance(found[1], str):
            raise Refused("disclosure_tampered")
        name = found[1]
        if name in ("_sd", "...") or name in out_dict:
            raise Refused("disclosure_tampered")
        used.add(hashed)
        out_dict[name] = _reveal(found[2], by_digest, used)
    return out_dict


def _check_key_binding(
    payload: Mapping[str, Any], kb_jwt: str, presented: str, *, nonce: str, audience: str, now: dt.datetime
) -> None:
    cnf = payload.get("cnf")
    jwk = cnf.get("jwk") if isinstance(cnf, dict) else None
    if not isinstance(jwk, dict):
        raise Refused("key_binding", "no cnf.jwk")
    try:
        holder_key = ECKey.import_key(jwk)
    except (JoseError, ValueError, TypeError) as error:
        raise Refused("key_binding", "bad cnf.jwk") from error
    try:
        _, kb = verify_signed(kb_jwt, holder_key, expected_typ={"kb+jwt"})
    except Refused as error:
        raise Refused("key_binding", error.reason) from error
    if kb.get("sd_hash") != digest(presented):
        raise Refused("key_binding", "sd_hash")
    if kb.get("nonce") != nonce:
        raise Refused("wrong_nonce")
    if kb.get("aud") != audience:
        raise Refused("wrong_audience")
    issued = _timestamp(kb, "iat")
    if issued is None or issued > now + CLOCK_SKEW or issued < now - KB_MAX_AGE:
        raise Refused("key_binding_stale")
