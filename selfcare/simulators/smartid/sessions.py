"""Simulated Smart-ID sessions, kept in Django's cache (keys ``smartid-sim:…``, ten minutes).

The cache rather than the database: sessions are short-lived, the simulator needs no migration, and with
``REDIS_URL`` set several server processes share them. Updates are read-modify-write without a lock: two
answers racing for one session is not a case a person at one phone page produces.

Besides the session itself, two indexes: ``token:<sessionToken>`` (the device-link page finds its session by the
token in the link) and ``pending:<personal code>`` (the phone page lists a person's notifications).
"""

from __future__ import annotations

import base64
import dataclasses
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Literal

from django.core.cache import cache

PREFIX = "smartid-sim:"
TTL_SECONDS = 10 * 60

Flow = Literal["notification", "device-link"]
# What the session is for: a login, the choice of a signing certificate, or a signature over a digest.
Kind = Literal["authentication", "certificate-choice", "signature"]


def now() -> float:
    """Seconds since the epoch; one place for tests to move time."""
    return time.time()


@dataclass
class Session:
    """What the simulator remembers of one authentication: the request as received and, once over, its answer."""

    flow: Flow
    rp_name: str
    rp_challenge: str
    interactions_b64: str  # the exact Base64 string the RP sent: it enters the hashes
    certificate_level: str
    hash_algorithm: str
    session_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created_at: float = field(default_factory=now)
    personal_code: str | None = None  # notification flows: the person the RP named
    session_token: str = ""  # device-link flows
    session_secret: str = ""  # device-link flows: Base64 of 32 random bytes, the authCode key
    device_link_base: str = ""
    initial_callback_url: str = ""
    opened_as: str = ""  # the device-link type of the verified link the person opened
    status: dict[str, object] | None = None  # the completed session status, once there is one
    kind: Kind = "authentication"
    digest: str = ""  # signature sessions: the Base64 digest the RP asked to have signed
    verification_code: str = ""  # signature sessions: the code the server gave the RP and the app shows

    @property
    def age_seconds(self) -> float:
        return now() - self.created_at

    @property
    def running(self) -> bool:
        return self.status is None


def new_device_link_secrets() -> tuple[str, str]:
    """A (sessionToken, sessionSecret) pair as the API hands them out."""
    return secrets.token_urlsafe(18), base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def save(session: Session) -> None:
    cache.set(f"{PREFIX}session:{session.session_id}", dataclasses.asdict(session), TTL_SECONDS)
    if session.session_token:
        cache.set(f"{PREFIX}token:{session.session_token}", session.session_id, TTL_SECONDS)
    if session.personal_code:
        key = f"{PREFIX}pending:{session.personal_code}"
        pending: list[str] = cache.get(key, [])
        if session.running and session.session_id not in pending:
            cache.set(key, [*pending, session.session_id], TTL_SECONDS)
        elif not session.running and session.session_id in pending:
            cache.set(key, [sid for sid in pending if sid != session.session_id], TTL_SECONDS)


def load(session_id: str) -> Session | None:
    data = cache.get(f"{PREFIX}session:{session_id}")
    return Session(**data) if isinstance(data, dict) else None


def load_by_token(session_token: str) -> Session | None:
    session_id = cache.get(f"{PREFIX}token:{session_token}")
    return load(session_id) if isinstance(session_id, str) else None


# The real app shows a request only while its session can still be answered; abandoned requests (the person
# cancelled on the portal, or closed the tab) must not pile up on the phone and be confirmed by mistake.
PENDING_SHOWN_SECONDS = 120


def pending_for(personal_code: str) -> list[Session]:
    """The person's notification sessions still waiting for an answer, newest first, the last two minutes only."""
    session_ids: list[str] = cache.get(f"{PREFIX}pending:{personal_code}", [])
    sessions = (load(session_id) for session_id in session_ids)
    recent = [s for s in sessions if s is not None and s.running and s.age_seconds <= PENDING_SHOWN_SECONDS]
    return sorted(recent, key=lambda s: s.created_at, reverse=True)
