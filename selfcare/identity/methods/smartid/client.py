"""The Smart-ID RP API v3 client: start an authentication, follow it, and verify its result.

The client is stateless: what a login must remember between the person's requests (the challenge, the session
secrets) is a `Pending` value the caller keeps server-side (the web session) and hands back.

    pending = client.start_notification(code)       # the page shows pending.verification_code
    verified = client.poll(pending)                  # None while the person has not answered yet

A start for a person without a (qualified) Smart-ID account answers 404. The client does not say so: it returns
a "blind" pending that never completes and times out like an unanswered request, so the page cannot be used to
find out who has Smart-ID (SECURITY.md 6.3.8; SK's guidance not to show per-error messages).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import time
from dataclasses import asdict, dataclass
from typing import Any, Literal

import httpx

from selfcare import outbound
from selfcare.identifiers import PersonalCode
from selfcare.identity.methods.base import BadResponse, Refused, TimedOut, Unavailable, VerifiedIdentity
from selfcare.identity.methods.http import check_tls_pin, json_object
from selfcare.identity.methods.smartid import protocol
from selfcare.identity.methods.smartid.config import SmartIdConfig
from selfcare.identity.methods.smartid.verification import verify_authentication

logger = logging.getLogger(__name__)

Flow = Literal["notification", "device-link"]


# A notification login for a personal code SK starts no session for: no account (404; v2: 471, none of the level
# asked; 472, the person must open the app first). Telling these apart on the page would tell whoever typed the code
# whether that person has an account (PROTOCOLS.md §1.2), so each becomes a blind pending that waits and times out
# like an unanswered request; the audit keeps the reason.
_BLIND_AT_START = {404: "no_account", 471: "no_suitable_account", 472: "check_app"}


@dataclass(frozen=True)
class Pending:
    """A started authentication, as kept in the person's server-side session (never sent to the browser whole)."""

    flow: Flow
    session_id: str  # empty for a blind pending (no such account)
    rp_challenge: str
    interactions_b64: str
    started_at: float
    expected_code: str = ""  # notification: the personal code the person typed (its 11 digits)
    expected_country: str = "LV"  # notification: that code's country
    session_token: str = ""
    session_secret: str = ""
    device_link_base: str = ""
    initial_callback_url: str = ""  # Web2App: where the app sends the person back
    callback_value: str = ""  # Web2App: the random value in the callback URL, bound to this session
    blind_reason: str = ""  # a blind pending: why SK started no session (audited when the wait ends)

    @property
    def verification_code(self) -> str:
        return protocol.verification_code(self.rp_challenge)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Pending:
        return cls(**data)


class SmartIdClient:
    def __init__(self, config: SmartIdConfig, *, transport: httpx.BaseTransport | None = None) -> None:
        self.config = config
        timeout = httpx.Timeout(config.connect_timeout, read=config.poll_timeout_ms / 1000 + config.connect_timeout)
        self._http = outbound.client(base_url=config.api_url, timeout=timeout, transport=transport)

    # --- starting -------------------------------------------------------------------------------------------------

    @staticmethod
    def _interactions(display_text: str) -> str:
        return protocol.encode_interactions([{"type": "displayTextAndPIN", "displayText60": display_text[:60]}])

    def _body(self, rp_challenge: str, interactions: str, **extra: Any) -> dict[str, object]:
        return protocol.authentication_request_body(
            rp_uuid=self.config.rp_uuid,
            rp_name=self.config.rp_name,
            rp_challenge=rp_challenge,
            certificate_level=self.config.certificate_level,  # type: ignore[arg-type]
            hash_algorithm=self.config.hash_algorithm,
            interactions_b64=interactions,
            **extra,
        )

    def start_notification(self, code: PersonalCode, *, display_text: str) -> Pending:
        rp_challenge = protocol.new_rp_challenge()
        interactions = self._interactions(display_text)
        path = f"authentication/notification/etsi/{code.etsi}"
        response = self._send("POST", path, json=self._body(rp_challenge, interactions, vc_type=True))
        blind_reason = _BLIND_AT_START.get(response.status_code, "")
        session_id = "" if blind_reason else _text(self._json(response), "sessionID")
        return Pending(
            "notification",
            session_id,
            rp_challenge,
            interactions,
            time.time(),
            expected_code=code.code,
            expected_country=code.country,
            blind_reason=blind_reason,
        )

    def start_device_link(self, *, display_text: str, callback_url: str | None = None) -> Pending:
        """Anonymous device-link authentication: QR on desktop, or (with `callback_url`) Web2App on a phone."""
        rp_challenge = protocol.new_rp_challenge()
        interactions = self._interactions(display_text)
        callback_value = secrets.token_urlsafe(24) if callback_url else ""
        initial = f"{callback_url}?value={callback_value}" if callback_url else ""
        extra: dict[str, Any] = {}
        if initial:
            extra = {"initial_callback_url": initial, "require_https": not self.config.api_url.startswith("http://")}
        response = self._post("authentication/device-link/anonymous", self._body(rp_challenge, interactions, **extra))
        return Pending(
            "device-link",
            _text(response, "sessionID"),
            rp_challenge,
            interactions,
            time.time(),
            session_token=_text(response, "sessionToken"),
            session_secret=_text(response, "sessionSecret"),
            device_link_base=_text(response, "deviceLinkBase"),
            initial_callback_url=initial,
            callback_value=callback_value,
        )

    def device_link(self, pending: Pending, *, link_type: str, lang: str = "eng", now: float | None = None) -> str:
        """The link to show: for QR regenerated each second (elapsedSeconds), for Web2App opened on the phone."""
        elapsed = int((now or time.time()) - pending.started_at) if link_type == "QR" else None
        return protocol.device_link(
            device_link_base=pending.device_link_base,
            link_type=link_type,  # type: ignore[arg-type]
            elapsed_seconds=elapsed,
            session_token=pending.session_token,
            lang=lang,
            session_secret_b64=pending.session_secret,
            scheme_name=self.config.scheme_name,
            rp_challenge=pending.rp_challenge,
            rp_name=self.config.rp_name,
            brokered_rp_name="",
            interactions_b64=pending.interactions_b64,
            initial_callback_url=pending.initial_callback_url if link_type != "QR" else "",
        )

    # --- following ------------------------------------------------------------------------------------------------

    def poll(self, pending: Pending, *, timeout_ms: int | None = None) -> VerifiedIdentity | None:
        """One long-poll of the session; the verified identity once complete, None while still running."""
        status = self._status(pending, timeout_ms=timeout_ms)
        return None if status is None else self._verify(pending, status)

    def complete_callback(
        self, pending: Pending, *, value: str, session_secret_digest: str, user_challenge_verifier: str
    ) -> VerifiedIdentity:
        """Web2App: the app sent the person back to us; check the callback (PROTOCOLS §1.3) and verify the result.

        The value in the URL must be the one bound to this browser session, the digest must be of this session's
        secret, and the verifier must hash to the userChallenge that the person's key signed.
        """
        if not pending.callback_value or not hmac.compare_digest(value, pending.callback_value):
            raise Refused("callback_value")
        secret = base64.b64decode(pending.session_secret)
        if not hmac.compare_digest(session_secret_digest, _b64url_sha256(secret)):
            raise Refused("callback_digest")
        status = self._status(pending, timeout_ms=self.config.poll_timeout_ms)
        if status is None:
            raise Refused("callback_before_completion")
        signature = status.get("signature")
        signed = signature.get("userChallenge", "") if isinstance(signature, dict) else ""
        verifier = _b64url_sha256(user_challenge_verifier.encode("ascii", errors="replace"))
        if not user_challenge_verifier or not hmac.compare_digest(verifier, str(signed)):
            raise Refused("callback_user_challenge")
        return self._verify(pending, status)

    def _status(self, pending: Pending, *, timeout_ms: int | None) -> dict[str, Any] | None:
        if time.time() - pending.started_at > self.config.session_timeout_s:
            raise TimedOut(reason=pending.blind_reason or "session_timeout")
        wait = self.config.poll_timeout_ms if timeout_ms is None else timeout_ms
        if not pending.session_id:  # blind pending: behaves like an unanswered request until it times out
            time.sleep(min(wait, 1000) / 1000)
            return None
        status = self._get(f"session/{pending.session_id}", params={"timeoutMs": max(wait, 1000)})
        if status.get("state") == "RUNNING":
            return None
        if status.get("state") != "COMPLETE":
            raise BadResponse(reason="unknown_state")
        return status

    def _verify(self, pending: Pending, status: dict[str, Any]) -> VerifiedIdentity:
        signature = status.get("signature")
        flow_type = signature.get("flowType") if isinstance(signature, dict) else None
        return verify_authentication(
            status=status,
            rp_challenge=pending.rp_challenge,
            rp_name=self.config.rp_name,
            interactions_b64=pending.interactions_b64,
            initial_callback_url=pending.initial_callback_url if flow_type == "Web2App" else "",
            expected_personal_code=(
                PersonalCode(pending.expected_country, pending.expected_code).etsi if pending.expected_code else None
            ),
            offered_flow_types={"Notification"} if pending.flow == "notification" else {"QR", "Web2App"},
            policy=self.config.policy,
        )

    # --- HTTP -----------------------------------------------------------------------------------------------------

    def _post(self, path: str, body: dict[str, object]) -> dict[str, Any]:
        return self._json(self._send("POST", path, json=body))

    def _get(self, path: str, *, params: dict[str, Any]) -> dict[str, Any]:
        return self._json(self._send("GET", path, params=params))

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TimeoutException as error:
            raise Unavailable(reason="provider_timeout") from error
        except httpx.HTTPError as error:
            raise Unavailable(reason="provider_unreachable") from error
        check_tls_pin(response, self.config.tls_pins)
        return response

    @staticmethod
    def _json(response: httpx.Response) -> dict[str, Any]:
        # SK's own codes (PROTOCOLS.md §1.2, §1.6): 480 our client is too old, 580 maintenance; v2's 471 (no
        # account of the level asked) and 472 (the person must open the app first), still answered by some.
        if response.status_code == 480:
            raise Unavailable(reason="client_outdated")
        if response.status_code == 580:
            raise Unavailable(reason="maintenance")
        if response.status_code == 471:
            raise Refused("no_suitable_account")
        if response.status_code == 472:
            raise Refused("check_app")
        if response.status_code >= 500:
            raise Unavailable(reason=f"http_{response.status_code}")
        if response.status_code == 404:
            raise Refused("session_not_found")
        if response.status_code in (401, 403):
            # Our relying-party credentials or source address are not accepted: an operator problem.
            logger.error("Smart-ID refused the relying party: HTTP %s", response.status_code)
            raise Unavailable(reason=f"http_{response.status_code}")
        return json_object(response)


def _b64url_sha256(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise BadResponse(reason=f"missing_{key}")
    return value
