"""The PID provider and the holder's side: an SD-JWT VC with one disclosure per claim, presented with key binding."""

from __future__ import annotations

import base64
import json
import secrets
import time
from typing import Any

from cryptography.hazmat.primitives import serialization
from joserfc import jws
from joserfc.jwk import ECKey

from selfcare.identity.methods.wallet.sdjwt import b64url, digest
from selfcare.identity.methods.wallet.statuslist import encode_status_list
from selfcare.simulators.wallet.accounts import ACCOUNTS, WalletAccount
from selfcare.simulators.wallet.pki import EcIssued, pid_provider, untrusted_pid_provider

PID_VCT = "urn:eudi:pid:1"


def _x5c(issued: EcIssued) -> list[str]:
    return [base64.b64encode(issued.certificate.public_bytes(serialization.Encoding.DER)).decode()]


def _sign(issued: EcIssued, header: dict[str, Any], claims: dict[str, Any]) -> str:
    return jws.serialize_compact(
        {"alg": "ES256", "x5c": _x5c(issued), **header},
        json.dumps(claims).encode(),
        ECKey.import_key(issued.private_key),
    )


def disclosure(name: str, value: object) -> str:
    return b64url(json.dumps([secrets.token_urlsafe(16), name, value]).encode())


def issue_pid(
    account: WalletAccount, *, holder_key: ECKey, status_uri: str, issuer: EcIssued | None = None, **overrides: Any
) -> tuple[str, dict[str, str]]:
    """The issuer-signed JWT and its disclosures by claim name (the holder discloses only what is asked)."""
    values = {
        "family_name": account.family_name,
        "given_name": account.given_name,
        "birthdate": account.birthdate,
        "issuing_country": account.issuing_country,
    }
    if account.personal_number:
        values["personal_administrative_number"] = account.personal_number
    disclosures = {name: disclosure(name, value) for name, value in values.items()}
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": "https://pid-provider.selfcare.test",
        "iat": now,
        "exp": now + 90 * 86400,
        "vct": PID_VCT,
        "_sd_alg": "sha-256",
        "_sd": sorted(digest(d) for d in disclosures.values()),
        "cnf": {"jwk": holder_key.as_dict(private=False)},
        "status": {"status_list": {"idx": account.status_index, "uri": status_uri}},
        **overrides,
    }
    if issuer is None:
        issuer = untrusted_pid_provider() if account.untrusted_issuer else pid_provider()
    return _sign(issuer, {"typ": "dc+sd-jwt"}, claims), disclosures


def present(
    issuer_jwt: str, disclosures: list[str], *, holder_key: ECKey, nonce: str, audience: str, iat: int | None = None
) -> str:
    """``<issuer JWT>~<disclosures>~<KB-JWT>``: the KB-JWT signs our nonce, audience and the hash of the rest."""
    presented = "~".join([issuer_jwt, *disclosures]) + "~"
    kb = {
        "iat": int(time.time()) if iat is None else iat,
        "aud": audience,
        "nonce": nonce,
        "sd_hash": digest(presented),
    }
    kb_jwt = jws.serialize_compact({"alg": "ES256", "typ": "kb+jwt"}, json.dumps(kb).encode(), holder_key)
    return presented + kb_jwt


def status_list_token(uri: str, *, issuer: EcIssued | None = None, revoked: set[int] | None = None) -> str:
    """The provider's status list: the revoked accounts' entries are 1 (invalid)."""
    revoked = {a.status_index for a in ACCOUNTS if a.revoked} if revoked is None else revoked
    values = [1 if index in revoked else 0 for index in range(16)]
    now = int(time.time())
    claims = {"sub": uri, "iat": now, "exp": now + 3600, "ttl": 300, "status_list": encode_status_list(values)}
    return _sign(issuer or pid_provider(), {"typ": "statuslist+jwt"}, claims)
