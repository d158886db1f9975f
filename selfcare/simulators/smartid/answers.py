"""How a simulated session ends: the person confirms or refuses, or the account's behaviour decides.

A confirmed session gets a real ACSP_V2 signature by the account's test key over the request as the RP sent it
(:func:`selfcare.simulators.pki.smartid_signer.completed_session_status`), so the portal verifies it with production
code.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets

from selfcare.identity.methods.smartid.protocol import FLOWS_WITHOUT_CALLBACK
from selfcare.simulators.pki.smartid_signer import completed_session_status, ended_session_status, signature_status
from selfcare.simulators.smartid import accounts, conf, pki, sessions
from selfcare.simulators.smartid.accounts import Account, Behaviour


def interactions(session: sessions.Session) -> list[dict[str, object]]:
    """The interactions the RP offered, decoded (validated when the session started)."""
    try:
        decoded = json.loads(base64.b64decode(session.interactions_b64, validate=True))
    except (binascii.Error, ValueError):
        return []
    return [item for item in decoded if isinstance(item, dict)] if isinstance(decoded, list) else []


def display_text(session: sessions.Session) -> str:
    """What the app shows the person: the first interaction's text (displayText60 or displayText200)."""
    first = next(iter(interactions(session)), {})
    return str(first.get("displayText60") or first.get("displayText200") or "")


def user_challenge_pair() -> tuple[str, str]:
    """A (userChallengeVerifier, userChallenge) pair: the challenge is B64URL-nopad(SHA-256(verifier as ASCII)).

    The app keeps the verifier and reveals it only in the Web2App callback, where the RP checks it against the
    userChallenge it signed — proving the callback came from the app that answered this session.
    """
    verifier = secrets.token_urlsafe(32)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def confirm(session: sessions.Session, account: Account, *, flow_type: str, user_challenge: str | None = None) -> None:
    """The person confirmed in the app as ``account``; the account's behaviour may still end it otherwise."""
    if account.behaviour is Behaviour.REFUSES:
        session.status = ended_session_status("USER_REFUSED")
    elif account.behaviour.end_result is not None:
        session.status = _ended(account)
    elif account.behaviour is Behaviour.TIMES_OUT:
        session.status = ended_session_status("TIMEOUT")
    elif session.kind == "signature":
        issued = pki.signing_credentials(account)
        session.status = signature_status(
            certificate=issued.certificate,
            private_key=issued.private_key,
            digest=base64.b64decode(session.digest),
            hash_algorithm=session.hash_algorithm,
            certificate_level=account.level,
            document_number=account.document_number,
        )
    else:
        issued = pki.credentials(account)
        session.status = completed_session_status(
            certificate=issued.certificate,
            private_key=issued.private_key,
            rp_challenge=session.rp_challenge,
            rp_name=session.rp_name,
            interactions_b64=session.interactions_b64,
            scheme_name=conf.scheme_name(),
            interaction_type_used=str(next(iter(interactions(session)), {}).get("type", "displayTextAndPIN")),
            initial_callback_url="" if flow_type in FLOWS_WITHOUT_CALLBACK else session.initial_callback_url,
            flow_type=flow_type,
            hash_algorithm=session.hash_algorithm,
            certificate_level=account.level,
            document_number=account.document_number,
            user_challenge=user_challenge,
        )
    sessions.save(session)


def _ended(account: Account) -> dict[str, object]:
    interaction = "displayTextAndPIN" if account.behaviour is Behaviour.REFUSES_INTERACTION else None
    return ended_session_status(str(account.behaviour.end_result), interaction=interaction)


def refuse(session: sessions.Session) -> None:
    session.status = ended_session_status("USER_REFUSED")
    sessions.save(session)


def settle_automatically(session: sessions.Session) -> None:
    """End a running notification session whose account answers by itself ("Refuses", "Times out", or a demo
    person the load test has confirm by itself: ``SMARTID_SIM_AUTO_CONFIRM``)."""
    account = accounts.find(session.personal_code) if session.personal_code else None
    if not session.running or account is None:
        return
    if account.behaviour is Behaviour.REFUSES:
        refuse(session)
    elif account.behaviour.end_result is not None:
        session.status = _ended(account)
        sessions.save(session)
    elif account.personal_code in conf.auto_confirm_codes():
        confirm(session, account, flow_type="Notification")
    elif account.behaviour is Behaviour.TIMES_OUT and session.age_seconds >= conf.timeout_delay_seconds():
        session.status = ended_session_status("TIMEOUT")
        sessions.save(session)
