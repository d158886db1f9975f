"""Smart-ID signing through the RP API v3 signature flow: choose the person's signing certificate, then have the
person sign a digest (``RAW_DIGEST_SIGNATURE``) in the app after comparing the verification code.

    chosen = client.start_certificate_choice(code)          # a session id
    certificate = client.certificate(pending)                # None while running; then the checked certificate
    started = client.start_signature(certificate, digest, display_text=...)   # started.verification_code
    value = client.signature(started, certificate, digest)   # None while running; then the checked value

Paths (``SMARTID_SIGNING_PATHS``): SK's v3 clients use ``signature/certificate-choice/notification/etsi/{id}`` and
``signature/notification/document/{documentNumber}``; PROTOCOLS.md does not cover the signature flow, so they are
configuration.

Two ways in: by notification (``start_certificate_choice``: the portal names the person, the app asks them), or by
device link (``start_certificate_choice_device_link``: the person scans the QR code the portal shows, rebuilt each
second with :meth:`SmartIdSigningClient.certificate_choice_link`); after a device link the signature request is
"linked" to that session (``linkedSessionID``), so it reaches the app that scanned.

Every answer is checked before it is used: the end result (refused, timeout, …), the certificate level claimed and
proven by the certificate's policy OIDs, the chain to the configured Smart-ID anchors and its revocation, that the
certificate is the person's (subject serialNumber) and is the one chosen, and that the signature value verifies
over the digest sent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import asdict, dataclass
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils
from cryptography.x509.oid import NameOID
from django.conf import settings

from selfcare.identifiers import PersonalCode
from selfcare.identity.methods.base import BadResponse, Refused, TimedOut
from selfcare.identity.methods.smartid import protocol
from selfcare.identity.methods.smartid.client import SmartIdClient
from selfcare.identity.methods.smartid.verification import raise_for_end_result

RAW_DIGEST_SIGNATURE = "RAW_DIGEST_SIGNATURE"
LEVELS = {"ADVANCED": 1, "QUALIFIED": 2}
# The digest is SHA-256 (selfcare.signing.pades); the app signs it with RSASSA-PSS, MGF1-SHA-256, salt 32.
HASH_ALGORITHM = "SHA-256"
PSS = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=hashes.SHA256.digest_size)


@dataclass(frozen=True)
class ChosenCertificate:
    """The person's signing certificate, checked, and the document number that signs with it."""

    document_number: str
    der: bytes
    level: str

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_der_x509_certificate(self.der)

    def as_dict(self) -> dict[str, Any]:
        return {
            "document_number": self.document_number,
            "der": base64.b64encode(self.der).decode(),
            "level": self.level,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChosenCertificate:
        return cls(data["document_number"], base64.b64decode(data["der"]), data["level"])


@dataclass(frozen=True)
class SigningSession:
    """A started Smart-ID session (certificate choice or signature) as the caller keeps it between requests."""

    session_id: str
    personal_code: str
    started_at: float
    verification_code: str = ""  # signature sessions: the code the app shows, from the server
    session_token: str = ""  # device-link certificate choice
    session_secret: str = ""  # device-link certificate choice: the authCode key, never shown
    device_link_base: str = ""
    initial_callback_url: str = ""  # Web2App: where the app returns the person (with callback_value)
    callback_value: str = ""  # the random value in that URL, bound to this signing in the browser's session

    @property
    def device_linked(self) -> bool:
        return bool(self.session_token)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SigningSession:
        return cls(**data)


def verification_code_of(digest: bytes) -> str:
    """The code the app shows for a digest, when the server does not send one: as in authentication (§1.3)."""
    value = hashlib.sha256(digest).digest()
    return f"{int.from_bytes(value[-2:], 'big') % 10000:04d}"


class SmartIdSigningClient(SmartIdClient):
    """The signature half of the RP API; HTTP, errors and TLS pinning are those of the login client."""

    def _paths(self) -> dict[str, str]:
        return dict(settings.SMARTID_SIGNING_PATHS)

    def _rp(self) -> dict[str, object]:
        return {
            "relyingPartyUUID": self.config.rp_uuid,
            "relyingPartyName": self.config.rp_name,
            "certificateLevel": self.config.certificate_level,
        }

    def start_certificate_choice(self, code: PersonalCode) -> SigningSession:
        path = self._paths()["certificate_choice"].format(identifier=code.etsi)
        response = self._post(path, self._rp())
        return SigningSession(_text(response, "sessionID"), code.code, time.time())

    def start_certificate_choice_device_link(self, code: PersonalCode, *, callback_url: str = "") -> SigningSession:
        """Anonymous device-link certificate choice; the certificate that comes back must still be ``code``'s.
        With ``callback_url`` the same session also opens by Web2App on the person's phone, which returns there."""
        body = self._rp()
        value = secrets.token_urlsafe(24) if callback_url else ""
        initial = f"{callback_url}?value={value}" if callback_url else ""
        if initial:
            protocol.check_callback_url(initial, require_https=not self.config.api_url.startswith("http://"))
            body["initialCallbackUrl"] = initial
        response = self._post(self._paths()["certificate_choice_device_link"], body)
        return SigningSession(
            _text(response, "sessionID"),
            code.code,
            time.time(),
            session_token=_text(response, "sessionToken"),
            session_secret=_text(response, "sessionSecret"),
            device_link_base=_text(response, "deviceLinkBase"),
            initial_callback_url=initial,
            callback_value=value,
        )

    def certificate_choice_link(
        self, session: SigningSession, *, link_type: str = "QR", lang: str = "eng", now: float | None = None
    ) -> str:
        """The link of a device-link certificate choice: a QR code's content for this second (elapsedSeconds), or
        the Web2App link to open on the person's phone (with the callback URL)."""
        web2app = link_type == "Web2App"
        if web2app and not session.initial_callback_url:
            raise ValueError("a Web2App link needs a session started with a callback URL")
        return protocol.device_link(
            device_link_base=session.device_link_base,
            link_type="Web2App" if web2app else "QR",
            elapsed_seconds=None if web2app else int((now or time.time()) - session.started_at),
            session_token=session.session_token,
            lang=lang,
            session_secret_b64=session.session_secret,
            scheme_name=self.config.scheme_name,
            rp_challenge="",
            rp_name=self.config.rp_name,
            brokered_rp_name="",
            interactions_b64="",
            initial_callback_url=session.initial_callback_url if web2app else "",
            session_type=settings.SMARTID_SIGNING_DEVICE_LINK_SESSION_TYPE,
        )

    @staticmethod
    def check_callback(session: SigningSession, *, value: str, session_secret_digest: str) -> None:
        """Web2App: the app sent the person back; the value must be the one bound to this signing and the digest
        that of this session's secret (PROTOCOLS.md §1.3). A certificate choice signs nothing, so there is no
        userChallengeVerifier; the certificate itself is checked when the session's result is read."""
        if not session.callback_value or not hmac.compare_digest(value, session.callback_value):
            raise Refused("callback_value")
        digest = hashlib.sha256(base64.b64decode(session.session_secret)).digest()
        expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
        if not hmac.compare_digest(session_secret_digest, expected):
            raise Refused("callback_digest")

    def certificate(self, session: SigningSession, *, timeout_ms: int | None = None) -> ChosenCertificate | None:
        status = self._signing_status(session, timeout_ms)
        if status is None:
            return None
        raise_for_end_result(status)
        document_number = _string(status, "result", "documentNumber")
        chosen = self._checked_certificate(status, session.personal_code)
        return ChosenCertificate(document_number, chosen[0], chosen[1])

    def start_signature(
        self, chosen: ChosenCertificate, digest: bytes, *, display_text: str, linked_session_id: str = ""
    ) -> SigningSession:
        """Ask the person to sign ``digest``; ``linked_session_id`` links it to a device-link certificate choice."""
        body: dict[str, object] = {
            **self._rp(),
            "signatureProtocol": RAW_DIGEST_SIGNATURE,
            "signatureProtocolParameters": {
                "digest": base64.b64encode(digest).decode("ascii"),
                "signatureAlgorithm": protocol.SIGNATURE_ALGORITHM,
                "signatureAlgorithmParameters": {"hashAlgorithm": HASH_ALGORITHM},
            },
            "interactions": protocol.encode_interactions(
                [{"type": "displayTextAndPIN", "displayText60": display_text[:60]}]
            ),
        }
        if linked_session_id:
            body["linkedSessionID"] = linked_session_id
        kind = "linked_signature" if linked_session_id else "signature"
        path = self._paths()[kind].format(document_number=chosen.document_number)
        response = self._post(path, body)
        vc = response.get("vc")
        code = str(vc.get("value", "")) if isinstance(vc, dict) else ""
        personal_code = _code_of(chosen.certificate) or ""
        return SigningSession(
            _text(response, "sessionID"), personal_code, time.time(), code or verification_code_of(digest)
        )

    def signature(
        self, session: SigningSession, chosen: ChosenCertificate, digest: bytes, *, timeout_ms: int | None = None
    ) -> bytes | None:
        """The signature value once the person signed (checked against the chosen certificate), None before."""
        status = self._signing_status(session, timeout_ms)
        if status is None:
            return None
        raise_for_end_result(status)
        if status.get("signatureProtocol") != RAW_DIGEST_SIGNATURE:
            raise Refused("protocol", "signature protocol is not RAW_DIGEST_SIGNATURE")
        der, _level = self._checked_certificate(status, session.personal_code)
        if der != chosen.der:
            raise Refused("identity_mismatch", "signed with another certificate than the one chosen")
        signature = status.get("signature")
        value = signature.get("value") if isinstance(signature, dict) else None
        if not isinstance(value, str):
            raise Refused("missing_fields", "signature.value is missing")
        try:
            raw = base64.b64decode(value, validate=True)
        except ValueError as error:
            raise BadResponse("signature.value is not Base64", reason="not_base64") from error
        key = chosen.certificate.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise Refused("protocol", "the certificate key is not RSA")
        try:
            key.verify(raw, digest, PSS, utils.Prehashed(hashes.SHA256()))
        except InvalidSignature as error:
            raise Refused("bad_signature", "the signature does not verify over the digest sent") from error
        return raw

    # --- checks ---------------------------------------------------------------------------------------------------

    def _signing_status(self, session: SigningSession, timeout_ms: int | None) -> dict[str, Any] | None:
        if time.time() - session.started_at > self.config.session_timeout_s:
            raise TimedOut(reason="session_timeout")
        wait = self.config.poll_timeout_ms if timeout_ms is None else timeout_ms
        status = self._get(f"session/{session.session_id}", params={"timeoutMs": max(wait, 1000)})
        if status.get("state") == "RUNNING":
            return None
        if status.get("state") != "COMPLETE":
            raise BadResponse(reason="unknown_state")
        return status

    def _checked_certificate(self, status: dict[str, Any], personal_code: str) -> tuple[bytes, str]:
        cert = status.get("cert")
        if not isinstance(cert, dict) or not isinstance(cert.get("value"), str):
            raise Refused("missing_fields", "cert is missing")
        level = str(cert.get("certificateLevel", ""))
        if level not in LEVELS:
            raise BadResponse(f"unknown certificate level {level!r}", reason="unknown_level")
        try:
            der = base64.b64decode(cert["value"], validate=True)
            certificate = x509.load_der_x509_certificate(der)
        except ValueError as error:
            raise BadResponse("cert.value is not a DER certificate", reason="bad_certificate") from error
        required = LEVELS[self.config.certificate_level]
        if LEVELS[level] < required:
            raise Refused("level_not_qualified", f"certificate level {level} is too low")
        if required == LEVELS["QUALIFIED"] and not _has_policies(certificate, settings.SMARTID_SIGNING_QUALIFIED_OIDS):
            raise Refused("policy_oids_missing", "the certificate does not prove the qualified level")
        policy = self.config.policy
        policy.trust_store.validate(der, moment=policy.clock(), revocation_check=policy.revocation_check)
        if _code_of(certificate) != personal_code.replace("-", ""):
            raise Refused("identity_mismatch", "the certificate names another person")
        return der, level


def _has_policies(certificate: x509.Certificate, required: tuple[str, ...] | list[str]) -> bool:
    try:
        extension = certificate.extensions.get_extension_for_class(x509.CertificatePolicies)
    except x509.ExtensionNotFound:
        return False
    return set(required) <= {info.policy_identifier.dotted_string for info in extension.value}


def _code_of(certificate: x509.Certificate) -> str | None:
    serial = certificate.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    value = str(serial[0].value) if len(serial) == 1 else ""
    if not value.startswith("PNOLV-"):
        return None
    digits = value.removeprefix("PNOLV-").replace("-", "")
    return digits if len(digits) == 11 and digits.isdigit() else None


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise BadResponse(reason=f"missing_{key}")
    return value


def _string(data: dict[str, Any], *keys: str) -> str:
    value: object = data
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    if not isinstance(value, str) or not value:
        raise Refused("missing_fields", ".".join(keys))
    return value
