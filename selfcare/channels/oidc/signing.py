"""ID token signatures: RS256 for every client, ES256 (P-256) for the clients named in OIDC_ES256_CLIENTS.

The keys are parsed once per process (the PEM text is the cache key, so a test that swaps a key gets the new one):
django-oauth-toolkit signs through jwcrypto, which serialises the header and claims, and builds a JWT object per
token; here a compact JWS is two base64url strings and one `sign` call. The `kid` of the RSA key is its RFC 7638
thumbprint, as django-oauth-toolkit publishes it, so ID tokens issued before and after this module verify alike.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from django.conf import settings
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.utils import jwk_from_pem

RS256 = "RS256"
ES256 = "ES256"


@dataclass(frozen=True, slots=True)
class SigningKey:
    algorithm: str
    private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    kid: str
    public_jwk: dict[str, Any]
    jwk: Any  # jwcrypto JWK: django-oauth-toolkit verifies an id_token_hint (RP-initiated logout) with it


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@lru_cache(maxsize=4)
def _load(algorithm: str, pem: str) -> SigningKey:
    private = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(private, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise ValueError("an ID token signing key must be RSA or P-256")
    key = jwk_from_pem(pem)
    kid = key.thumbprint()
    public = {"alg": algorithm, "use": "sig", "kid": kid, **json.loads(key.export_public())}
    return SigningKey(algorithm, private, kid, public, key)


def signing_key(algorithm: str) -> SigningKey:
    if algorithm == ES256:
        if not settings.OIDC_EC_PRIVATE_KEY:
            raise ValueError("ES256 needs OIDC_EC_SIGNING_KEY_PATH")
        return _load(ES256, settings.OIDC_EC_PRIVATE_KEY)
    return _load(RS256, oauth2_settings.OIDC_RSA_PRIVATE_KEY)


def algorithm_for(client_id: str) -> str:
    """The ID token algorithm of a client: ES256 where it is registered for it, else RS256."""
    return ES256 if client_id in settings.OIDC_ES256_CLIENTS else RS256


def sign(claims: dict[str, Any], *, algorithm: str) -> str:
    """A compact JWS of `claims` (RFC 7515) with the provider's key for `algorithm`."""
    key = signing_key(algorithm)
    header = {"typ": "JWT", "alg": algorithm, "kid": key.kid}
    signing_input = (
        f"{_b64(json.dumps(header, separators=(',', ':')).encode())}."
        f"{_b64(json.dumps(claims, separators=(',', ':'), default=str).encode())}"
    )
    if isinstance(key.private, ec.EllipticCurvePrivateKey):
        # JWS wants r and s as two 32-byte integers (RFC 7518 §3.4), not the DER sequence OpenSSL returns.
        r, s = decode_dss_signature(key.private.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    else:
        signature = key.private.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{_b64(signature)}"


def published_keys() -> list[dict[str, Any]]:
    """The public halves for the JWKS: the RSA key, and the P-256 key when there is one."""
    keys = [signing_key(RS256).public_jwk]
    # Keys being retired still verify the ID tokens they signed, as the library publishes them.
    keys += [_load(RS256, pem).public_jwk for pem in oauth2_settings.OIDC_RSA_PRIVATE_KEYS_INACTIVE]
    if settings.OIDC_EC_PRIVATE_KEY:
        keys.append(signing_key(ES256).public_jwk)
    return keys
