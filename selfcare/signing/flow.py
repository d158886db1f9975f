"""One signing across the person's requests: start, then advance (each step one long poll) until the signed PDF.

    signing = flow.start(pdf=..., code=PersonalCode.parse(...), method="smartid", display_text=..., reason=...)
    signing.verification_code            # "" while the certificate is chosen; then the code to compare with the app
    flow.qr_link(signing)                # with device_link=True: the QR code to show while the certificate is chosen
    signed = flow.advance(signing)      # None while the person has not answered; the signed PDF once done

With eParaksts the person goes to the platform and back twice (:mod:`.eparaksts`): ``start`` takes the callback
URL (``redirect_uri``), ``signing.redirect_url`` is where the browser goes next, and each return is handed to
``flow.callback(signing, state=..., code=..., error=...)``: None after the first (go to ``redirect_url`` again,
to approve the digest), the signed PDF after the second.

The steps of the Smart-ID signature flow: choose the person's signing certificate (certificate choice), prepare the
PDF for that certificate (:mod:`.pades`), have the person sign the digest in the app, write the signature in.
Failures are the eID methods' errors (:mod:`selfcare.identity.methods.base`: refused in the app, timeout,
certificate level, …) or :class:`.pades.SigningFailed`.

A signing is kept in the cache under a random id (the caller keeps only the id, e.g. in the person's session): it
holds the document, which does not belong in a session cookie's store, and lives only as long as the provider's
session can.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from cryptography import x509
from django.core.cache import cache

from selfcare.identifiers import PersonalCode
from selfcare.identity.methods.base import Cancelled, Refused, TimedOut, Unavailable
from selfcare.identity.methods.eparaksts.config import eparaksts_config
from selfcare.identity.methods.smartid.config import smartid_config
from selfcare.identity.methods.smartid.signing import ChosenCertificate, SigningSession, SmartIdSigningClient
from selfcare.signing import longterm, pades
from selfcare.signing.eparaksts import EparakstsSigningClient, SigningIdentity

PREFIX = "signing:"
SMARTID = "smartid"
EPARAKSTS = "eparaksts"
METHODS = (SMARTID, EPARAKSTS)
# The platform's error parameter that means "try later" (RFC 6749 4.1.2.1); access_denied is the person's "no".
_PROVIDER_UNAVAILABLE = {"server_error", "temporarily_unavailable"}


@dataclass
class Signing:
    """A signing in progress (see the module docstring)."""

    method: str
    personal_code: str
    pdf: str  # Base64 of the document as shown to the person
    display_text: str
    reason: str
    session: dict[str, Any]
    id: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    stage: str = "certificate"  # then "signature"
    chosen: dict[str, Any] | None = None
    prepared: dict[str, Any] | None = None
    started_at: float = field(default_factory=time.time)
    redirect_uri: str = ""  # eParaksts: the portal's callback URL, the same in both authorizations
    language: str = "lv"  # eParaksts: the platform's page language
    returned: bool = False  # Smart-ID Web2App: the app's callback came (it is good once)

    @property
    def redirect_url(self) -> str:
        """eParaksts: where the browser goes next (the platform's authorization page); empty for Smart-ID."""
        return str(self.session.get("url", "")) if self.method == EPARAKSTS else ""

    @property
    def document(self) -> bytes:
        return base64.b64decode(self.pdf)

    @property
    def base_sha256(self) -> str:
        """The SHA-256 of the document the person is signing: what the caller checks is still the current one."""
        return hashlib.sha256(self.document).hexdigest()

    @property
    def verification_code(self) -> str:
        return str(self.session.get("verification_code", "")) if self.stage == "signature" else ""


def _client() -> SmartIdSigningClient:
    return SmartIdSigningClient(smartid_config())


def _eparaksts() -> EparakstsSigningClient:
    return EparakstsSigningClient(eparaksts_config())


def _ttl() -> int:
    return smartid_config().session_timeout_s * 3 + eparaksts_config().state_max_age_s * 2


def save(signing: Signing) -> None:
    cache.set(PREFIX + signing.id, asdict(signing), _ttl())


def load(signing_id: str) -> Signing | None:
    data = cache.get(PREFIX + signing_id) if signing_id else None
    return Signing(**data) if isinstance(data, dict) else None


def forget(signing_id: str) -> None:
    cache.delete(PREFIX + signing_id)


def start(
    *,
    pdf: bytes,
    code: PersonalCode,
    method: str,
    display_text: str,
    reason: str = "",
    redirect_uri: str = "",
    language: str = "lv",
    device_link: bool = False,
    callback_url: str = "",
) -> Signing:
    """Begin signing ``pdf`` as the person with ``code``: the method's first step (Smart-ID: certificate choice;
    eParaksts: the authorization that reads the person's signing identities, at ``signing.redirect_url``)."""
    if method not in METHODS:
        raise ValueError(f"unknown signing method {method!r}")
    if method == EPARAKSTS:
        if code.country != "LV" or not redirect_uri:
            raise ValueError("eParaksts signs for Latvian personal codes, with a callback URL")
        state = secrets.token_urlsafe(32)
        url = _eparaksts().identities_url(state=state, redirect_uri=redirect_uri, ui_locale=language)
        session: dict[str, Any] = {"state": state, "url": url, "at": time.time()}
    elif device_link:  # the person scans a QR code (qr_link), then signs in that app (a "linked" request)
        session = _client().start_certificate_choice_device_link(code, callback_url=callback_url).as_dict()
    else:
        session = _client().start_certificate_choice(code).as_dict()
    signing = Signing(
        method=method,
        personal_code=code.code,
        pdf=base64.b64encode(pdf).decode("ascii"),
        display_text=display_text,
        reason=reason,
        session=session,
        redirect_uri=redirect_uri,
        language=language,
    )
    save(signing)
    return signing


def _chain(certificate: x509.Certificate) -> list[x509.Certificate]:
    """The configured intermediates that issued the signer's certificate: embedded so a validator finds the path."""
    return [c for c in smartid_config().policy.intermediates if c.subject == certificate.issuer]


def _long_term(prepared: pades.Prepared, value: bytes) -> bytes:
    """The signed PDF, with a timestamp and revocation data (PAdES B-LT) when a TSA is configured."""
    stamper = longterm.timestamper()
    signed = pades.finish(prepared, value, timestamper=stamper)
    return longterm.add_revocation_data(signed) if stamper is not None else signed


def qr_link(signing: Signing, *, lang: str = "eng") -> str:
    """The QR code's content while a device-link certificate choice waits (rebuilt each call); "" otherwise."""
    if signing.method != SMARTID or signing.stage != "certificate":
        return ""
    session = SigningSession.from_dict(signing.session)
    return _client().certificate_choice_link(session, lang=lang) if session.device_linked else ""


def app_link(signing: Signing, *, lang: str = "eng") -> str:
    """Web2App: the link that opens the Smart-ID app on this phone for the certificate choice; "" without one."""
    if signing.method != SMARTID or signing.stage != "certificate":
        return ""
    session = SigningSession.from_dict(signing.session)
    if not session.initial_callback_url:
        return ""
    return _client().certificate_choice_link(session, link_type="Web2App", lang=lang)


def app_returned(signing: Signing, *, value: str, session_secret_digest: str) -> None:
    """Web2App: the app brought the person back; check the callback (once per signing), then keep waiting."""
    if signing.method != SMARTID or signing.returned:
        raise Refused("callback_reused")
    _client().check_callback(
        SigningSession.from_dict(signing.session), value=value, session_secret_digest=session_secret_digest
    )
    signing.returned = True
    save(signing)


def advance(signing: Signing, *, timeout_ms: int | None = None) -> bytes | None:
    """One step: None while waiting for the person; the signed PDF when done (the signing is then forgotten).

    An eParaksts signing moves only when the browser comes back (:func:`callback`): here it is always waiting."""
    if signing.method == EPARAKSTS:
        return None
    client = _client()
    session = SigningSession.from_dict(signing.session)
    if signing.stage == "certificate":
        chosen = client.certificate(session, timeout_ms=timeout_ms)
        if chosen is None:
            return None
        certificate = chosen.certificate
        prepared = pades.prepare(
            signing.document,
            certificate,
            chain=_chain(certificate),
            reason=signing.reason,
            bytes_reserved=longterm.bytes_reserved(),
        )
        linked = session.session_id if session.device_linked else ""
        started = client.start_signature(
            chosen, prepared.to_sign, display_text=signing.display_text, linked_session_id=linked
        )
        signing.stage, signing.session = "signature", started.as_dict()
        signing.chosen, signing.prepared = chosen.as_dict(), prepared.as_dict()
        save(signing)
        return None
    if signing.chosen is None or signing.prepared is None:
        raise pades.SigningFailed("the signing lost its prepared document")
    prepared = pades.Prepared.from_dict(signing.prepared)
    value = client.signature(
        session, ChosenCertificate.from_dict(signing.chosen), prepared.to_sign, timeout_ms=timeout_ms
    )
    if value is None:
        return None
    signed = _long_term(prepared, value)
    forget(signing.id)
    return signed


def _returned(signing: Signing, *, state: str, error: str) -> None:
    """The checks of a return from the platform: this signing's state (single use), in time, no error."""
    expected = str(signing.session.get("state", ""))
    if not state or not expected or not hmac.compare_digest(state, expected):
        raise Refused("state_mismatch")
    if time.time() - float(signing.session.get("at", 0)) > eparaksts_config().state_max_age_s:
        raise TimedOut(reason="state_expired")
    if error == "access_denied":
        raise Cancelled(reason="access_denied")
    if error in _PROVIDER_UNAVAILABLE:
        raise Unavailable(reason=error)
    if error:
        raise Refused("provider_error")  # its free text (error_description) is never shown


def callback(signing: Signing, *, state: str, code: str, error: str = "") -> bytes | None:
    """An eParaksts return: after the first, the document is prepared for the person's certificate and None is
    returned (send the browser to ``signing.redirect_url`` to approve the digest); after the second, the signed PDF
    (the signing is then forgotten). Raises the eID methods' errors or :class:`.pades.SigningFailed`."""
    if signing.method != EPARAKSTS:
        raise ValueError("only an eParaksts signing returns through the browser")
    _returned(signing, state=state, error=error)
    if not code:
        raise Refused("missing_code")
    client = _eparaksts()
    if signing.stage == "certificate":
        identity = client.signing_identity(
            code=code, redirect_uri=signing.redirect_uri, personal_code=signing.personal_code
        )
        prepared = pades.prepare(
            signing.document,
            identity.certificate,
            reason=signing.reason,
            mechanism=pades.RSA_PKCS1V15,
            bytes_reserved=longterm.bytes_reserved(),
        )
        next_state = secrets.token_urlsafe(32)
        url = client.consent_url(
            identity, prepared.to_sign, state=next_state, redirect_uri=signing.redirect_uri, ui_locale=signing.language
        )
        signing.stage = "signature"
        signing.session = {"state": next_state, "url": url, "at": time.time()}
        signing.chosen, signing.prepared = identity.as_dict(), prepared.as_dict()
        save(signing)
        return None
    if signing.chosen is None or signing.prepared is None:
        raise pades.SigningFailed("the signing lost its prepared document")
    prepared = pades.Prepared.from_dict(signing.prepared)
    value = client.signature(
        SigningIdentity.from_dict(signing.chosen), prepared.to_sign, code=code, redirect_uri=signing.redirect_uri
    )
    signed = _long_term(prepared, value)
    forget(signing.id)
    return signed
