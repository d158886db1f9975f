"""Signing with eParaksts: the signature API of LVRTC's e-Identity platform (a TrustedX eIDAS platform), by OAuth.

    url = client.identities_url(state=..., redirect_uri=..., ui_locale="lv")          # 1. the person's session
    identity = client.signing_identity(code=..., redirect_uri=..., personal_code=...)  #    their signing certificate
    url = client.consent_url(identity, digest, state=..., redirect_uri=..., ui_locale="lv")  # 2. the digest to sign
    value = client.signature(identity, digest, code=..., redirect_uri=...)             # 3. the result

1. The person authenticates with eParaksts Mobile granting ``EPARAKSTS_SIGN_SCOPE_PROFILE``; with that token the
   portal lists their signing identities (``EPARAKSTS_SIGN_IDENTITIES_PATH``) and reads the certificate of each.
2. The person is sent back to the platform with the scope ``EPARAKSTS_SIGN_SCOPE_USE``, the signing identity and
   ``digests_summary`` = Base64(SHA-256(digest)): in the app they approve exactly that digest.
3. With the second token the digest is uploaded (``EPARAKSTS_SIGN_RAW_PATH``, ``{digest_value,
   signature_algorithm, sign_identity_id}``) and the raw signature comes back: RSA PKCS#1 v1.5 over the SHA-256
   digest (``rsa-sha256``), which :mod:`selfcare.signing.pades` writes into the PDF.

Answer shapes, following third-party clients of the platform (anonymised)::

    GET  sign_identities       {"sign_identities": [{"id": "k7…", "status": {"value": "enabled"}, "labels": [...]}]}
    GET  sign_identities/k7…   {"identity": {"id": "k7…", "details": {"certificate": "<Base64 DER>"}}}
    POST signatures/server/raw  → the signature value's bytes

The paths, scopes and algorithm names are configuration (PROTOCOLS.md leaves them UNCONFIRMED). What is checked
here: the token answers, that the chosen certificate names the person (subject serialNumber ``PNOLV-…``), allows
non-repudiation and has an RSA key, and that the value verifies over the digest with that certificate. What is
**not** checked here: the certificate's chain and revocation, which the validator of signed documents checks on
the signed PDF (the same validator as for uploads) before anything counts.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import quote, urlencode

import httpx
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils
from cryptography.x509.oid import NameOID
from django.conf import settings

from selfcare import outbound
from selfcare.identity.methods.base import BadResponse, Refused, Unavailable
from selfcare.identity.methods.eparaksts.client import UI_LOCALES, client_authorization
from selfcare.identity.methods.eparaksts.config import EparakstsConfig
from selfcare.identity.methods.http import check_tls_pin, json_object

MECHANISM = "rsa_pkcs1v15"  # selfcare.signing.pades.RSA_PKCS1V15: what rsa-sha256 over a digest makes


@dataclass(frozen=True)
class SigningIdentity:
    """One of the person's signing identities on the platform, with its certificate (checked)."""

    id: str
    der: bytes

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_der_x509_certificate(self.der)

    def as_dict(self) -> dict[str, str]:
        return {"id": self.id, "der": base64.b64encode(self.der).decode("ascii")}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SigningIdentity:
        return cls(str(data["id"]), base64.b64decode(data["der"]))


def digests_summary(digest: bytes) -> str:
    """What the person approves in the app for one digest: Base64(SHA-256(digest))."""
    return base64.b64encode(hashlib.sha256(digest).digest()).decode("ascii")


@dataclass(frozen=True)
class SigningSettings:
    scope_profile: str
    scope_use: str
    identities_path: str
    raw_path: str
    algorithm: str
    summary_algorithm: str

    @classmethod
    def from_settings(cls) -> SigningSettings:
        return cls(
            scope_profile=settings.EPARAKSTS_SIGN_SCOPE_PROFILE,
            scope_use=settings.EPARAKSTS_SIGN_SCOPE_USE,
            identities_path=settings.EPARAKSTS_SIGN_IDENTITIES_PATH,
            raw_path=settings.EPARAKSTS_SIGN_RAW_PATH,
            algorithm=settings.EPARAKSTS_SIGN_ALGORITHM,
            summary_algorithm=settings.EPARAKSTS_DIGESTS_SUMMARY_ALGORITHM,
        )

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


class EparakstsSigningClient:
    """The platform's signature API; hosts, client credentials, timeouts and TLS pins are those of the login."""

    def __init__(
        self,
        config: EparakstsConfig,
        *,
        signing: SigningSettings | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.config = config
        self.signing = signing or SigningSettings.from_settings()
        timeout = httpx.Timeout(config.read_timeout, connect=config.connect_timeout)
        self._http = outbound.client(timeout=timeout, transport=transport)

    # --- 1. the person's signing identities ---------------------------------------------------------------------

    def identities_url(self, *, state: str, redirect_uri: str, ui_locale: str) -> str:
        return self._authorize_url(
            {"scope": self.signing.scope_profile, "prompt": "login"}, state, redirect_uri, ui_locale
        )

    def signing_identity(self, *, code: str, redirect_uri: str, personal_code: str) -> SigningIdentity:
        """The person's enabled signing identity whose certificate names them and allows non-repudiation."""
        token = self._token(code=code, redirect_uri=redirect_uri)
        listing = json_object(self._checked(self._send("GET", self._url(self.signing.identities_path), token=token)))
        entries = listing.get("sign_identities")
        if not isinstance(entries, list):
            raise BadResponse(reason="missing_sign_identities")
        for entry in entries:
            if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) or not entry["id"]:
                raise BadResponse(reason="bad_sign_identity")
            status = entry.get("status")
            if isinstance(status, dict) and str(status.get("value", "enabled")).lower() != "enabled":
                continue
            der = self._certificate(token, entry["id"])
            if _signs_for(der, personal_code):
                return SigningIdentity(entry["id"], der)
        raise Refused("no_signing_identity", "no enabled signing identity of this person")

    # --- 2. the person's consent to one digest --------------------------------------------------------------------

    def consent_url(
        self, identity: SigningIdentity, digest: bytes, *, state: str, redirect_uri: str, ui_locale: str
    ) -> str:
        extra = {
            "scope": self.signing.scope_use,
            "sign_identity_id": identity.id,
            "digests_summary": digests_summary(digest),
            "digests_summary_algorithm": self.signing.summary_algorithm,
        }
        return self._authorize_url(extra, state, redirect_uri, ui_locale)

    # --- 3. the result ----------------------------------------------------------------------------------------------

    def signature(self, identity: SigningIdentity, digest: bytes, *, code: str, redirect_uri: str) -> bytes:
        """Upload the digest with the consent's token; the signature value, verified with the identity's key."""
        token = self._token(code=code, redirect_uri=redirect_uri)
        body = {
            "digest_value": base64.b64encode(digest).decode("ascii"),
            "signature_algorithm": self.signing.algorithm,
            "sign_identity_id": identity.id,
        }
        response = self._checked(self._send("POST", self._url(self.signing.raw_path), token=token, json=body))
        value = response.content
        key = identity.certificate.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise Refused("protocol", "the signing key is not RSA")
        try:
            key.verify(value, digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
        except InvalidSignature as error:
            raise Refused("bad_signature", "the signature does not verify over the digest sent") from error
        return value

    # --- HTTP -------------------------------------------------------------------------------------------------------

    def _url(self, path: str) -> str:
        return f"{self.config.url}/{path.lstrip('/')}"

    def _authorize_url(self, extra: dict[str, str], state: str, redirect_uri: str, ui_locale: str) -> str:
        query = {
            "response_type": "code",
            "client_id": self.config.client_id,
            "state": state,
            "redirect_uri": redirect_uri,
            **extra,
            "acr_values": self.config.acr["eparaksts-mobile"],
            "ui_locales": ui_locale if ui_locale in UI_LOCALES else "lv",
        }
        return f"{self.config.authorize_url}?{urlencode(query, quote_via=quote)}"

    def _token(self, *, code: str, redirect_uri: str) -> str:
        response = self._send(
            "POST",
            self.config.token_url,
            data={"grant_type": "authorization_code", "redirect_uri": redirect_uri, "code": code},
            headers={"Authorization": client_authorization(self.config.client_id, self.config.client_secret)},
        )
        if response.status_code == 401:
            raise Unavailable(reason="invalid_client")  # our credentials: an operator problem, not the person's
        if response.status_code == 400:
            raise Refused("token_refused")
        data = json_object(response)
        token = data.get("access_token")
        if not isinstance(token, str) or not token or str(data.get("token_type", "")).lower() != "bearer":
            raise BadResponse(reason="missing_access_token")
        return token

    def _certificate(self, token: str, identity_id: str) -> bytes:
        path = f"{self.signing.identities_path.rstrip('/')}/{quote(identity_id, safe='')}"
        detail = json_object(self._checked(self._send("GET", self._url(path), token=token)))
        identity = detail.get("identity")
        details = identity.get("details") if isinstance(identity, dict) else None
        value = details.get("certificate") if isinstance(details, dict) else None
        if not isinstance(value, str):
            raise BadResponse(reason="missing_certificate")
        try:
            der = base64.b64decode(value, validate=True)
            x509.load_der_x509_certificate(der)
        except ValueError as error:
            raise BadResponse(reason="bad_certificate") from error
        return der

    def _checked(self, response: httpx.Response) -> httpx.Response:
        if response.status_code in (401, 403):
            raise Refused("token_refused")
        if response.status_code != 200:
            raise BadResponse(reason=f"http_{response.status_code}")
        return response

    def _send(self, method: str, url: str, *, token: str = "", **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            response = self._http.request(method, url, headers=headers, **kwargs)
        except httpx.TimeoutException as error:
            raise Unavailable(reason="provider_timeout") from error
        except httpx.HTTPError as error:
            raise Unavailable(reason="provider_unreachable") from error
        check_tls_pin(response, self.config.tls_pins)
        if response.status_code >= 500:
            raise Unavailable(reason=f"http_{response.status_code}")
        return response


def _signs_for(der: bytes, personal_code: str) -> bool:
    """A certificate of this person (subject serialNumber PNOLV-…) that allows non-repudiation."""
    certificate = x509.load_der_x509_certificate(der)
    serial = certificate.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    value = str(serial[0].value) if len(serial) == 1 else ""
    if not value.startswith("PNOLV-") or value.removeprefix("PNOLV-").replace("-", "") != personal_code:
        return False
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return bool(usage.content_commitment) and isinstance(certificate.public_key(), rsa.RSAPublicKey)
