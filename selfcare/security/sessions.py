"""The session registry: each login is a row the person can see and end (SECURITY.md 7.5.2).

The Django session carries the row's id under `SESSION_REGISTRY_ID`. Ending a row from another browser takes
effect at the ended browser's next request: the middleware finds the row ended and logs it out, which deletes
its session data on the server. Staff log in with eID too, so their sessions are listed like any other; a
session from before the registry (or a break-glass password login) has no id and is left to the session
lifetime rules.

App tokens (the OpenID provider's access and refresh tokens) are listed beside the sessions through
`APP_TOKEN_SOURCES`: a source registers itself there and the security page lists and revokes its grants.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ua_parser import parse as parse_user_agent

from selfcare.identity.models import DigitalIdentity
from selfcare.queries import MARK_UUID, Prepared
from selfcare.security.models import EndReason, UserSession

SESSION_REGISTRY_ID = "security.session_id"
# Writing the row on every request would make each page a database write; a minute's granularity is plenty.
TOUCH_INTERVAL = datetime.timedelta(seconds=60)


def _client(request: HttpRequest) -> tuple[str | None, str]:
    return request.META.get("REMOTE_ADDR") or None, request.META.get("HTTP_USER_AGENT", "")[:300]


def register_login(request: HttpRequest, identity: DigitalIdentity, method: str) -> UserSession:
    """Record a fresh login; a step after login (selfcare/login_flow.py), after the session key was rotated."""
    ip, agent = _client(request)
    now = timezone.now()
    row = UserSession.objects.create(
        identity=identity, method=method, ip_address=ip, user_agent=agent, login_at=now, last_seen_at=now
    )
    request.session[SESSION_REGISTRY_ID] = str(row.pk)
    return row


def current_id(request: HttpRequest) -> str | None:
    value = request.session.get(SESSION_REGISTRY_ID)
    return str(value) if value else None


def login_method(request: HttpRequest) -> str:
    """The eID method this browser's login used ("smartid", "eparaksts-mobile", …); "" when unknown."""
    session_id = current_id(request)
    if session_id is None:
        return ""
    return UserSession.objects.filter(pk=session_id).values_list("method", flat=True).first() or ""


# Read on every request of a logged-in browser (the middleware), so compiled once (selfcare.queries.Prepared): its
# text never changes but for the session's id. The primary key: no ORDER BY, at most one row.
_OPEN_STATE = Prepared(
    UserSession,
    lambda session_id: UserSession.objects.filter(pk=session_id).order_by().values_list("ended_at", "last_seen_at"),
    session_id=MARK_UUID,
)


def still_open(request: HttpRequest) -> bool:
    """False when this browser's login was ended elsewhere; notes activity at most once a minute."""
    session_id = current_id(request)
    if session_id is None:
        return True
    try:
        rows = _OPEN_STATE.rows(session_id=uuid.UUID(session_id))
    except ValueError:
        return False  # not an id the registry gave out: the login is not known to be open
    row = rows[0] if rows else None
    if row is None or row[0] is not None:
        return False
    now = timezone.now()
    if now - row[1] > TOUCH_INTERVAL:
        UserSession.objects.filter(pk=session_id).update(last_seen_at=now)
    return True


def end_current(request: HttpRequest, reason: EndReason = EndReason.LOGOUT) -> None:
    session_id = current_id(request)
    if session_id is not None:
        UserSession.objects.filter(pk=session_id, ended_at__isnull=True).update(
            ended_at=timezone.now(), end_reason=reason
        )


def active_sessions(identity: DigitalIdentity) -> QuerySet[UserSession]:
    """The person's logins still alive: not ended, not idle too long, not past the absolute lifetime."""
    now = timezone.now()
    return UserSession.objects.filter(
        identity=identity,
        ended_at__isnull=True,
        last_seen_at__gt=now - datetime.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT_SECONDS),
        login_at__gt=now - datetime.timedelta(seconds=settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS),
    ).order_by("-last_seen_at")


def end_session(*, identity: DigitalIdentity, session_id: str) -> bool:
    """End one of the person's own sessions; False when it is not theirs or already ended (the same to callers)."""
    ended = UserSession.objects.filter(pk=session_id, identity=identity, ended_at__isnull=True).update(
        ended_at=timezone.now(), end_reason=EndReason.ENDED
    )
    return ended == 1


def end_other_sessions(*, identity: DigitalIdentity, keep: str | None) -> int:
    """End every open session of the person except `keep` (the one asking); how many were ended."""
    others = UserSession.objects.filter(identity=identity, ended_at__isnull=True)
    if keep is not None:
        others = others.exclude(pk=keep)
    return others.update(ended_at=timezone.now(), end_reason=EndReason.ENDED)


@dataclass(frozen=True, slots=True)
class Device:
    browser: str
    system: str
    kind: str

    def __str__(self) -> str:
        return " · ".join(part for part in (self.browser, self.system) if part) or self.kind


def describe_device(user_agent: str) -> Device:
    """Browser and system named from the user agent by ua-parser's maintained rules, not our own patterns."""
    parsed = parse_user_agent(user_agent) if user_agent else None
    if parsed is None:
        return Device("", "", "unknown")
    browser = parsed.user_agent.family if parsed.user_agent and parsed.user_agent.family != "Other" else ""
    if browser and parsed.user_agent and parsed.user_agent.major:
        browser = f"{browser} {parsed.user_agent.major}"
    system = parsed.os.family if parsed.os and parsed.os.family != "Other" else ""
    kind = parsed.device.family if parsed.device and parsed.device.family != "Other" else "unknown"
    return Device(browser, system, kind)


# --- App tokens: the extension point for the OpenID provider ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AppGrant:
    """One app's access for the person (e.g. an OAuth token family), as the security page lists it."""

    source: str
    grant_id: str
    app_name: str
    created_at: datetime.datetime
    last_used_at: datetime.datetime | None
    method: str = ""


class AppTokenSource(Protocol):
    """What a token issuer registers in APP_TOKEN_SOURCES (keyed by its `name`)."""

    name: str

    def grants_of(self, identity: DigitalIdentity) -> list[AppGrant]: ...

    def revoke(self, identity: DigitalIdentity, grant_id: str) -> bool: ...


APP_TOKEN_SOURCES: dict[str, AppTokenSource] = {}


def register_app_token_source(source: AppTokenSource) -> None:
    """Called from the issuing app's AppConfig.ready() (e.g. the OpenID provider's DOT tokens)."""
    APP_TOKEN_SOURCES[source.name] = source


def app_grants(identity: DigitalIdentity) -> list[AppGrant]:
    grants = [grant for source in APP_TOKEN_SOURCES.values() for grant in source.grants_of(identity)]
    return sorted(grants, key=lambda g: g.last_used_at or g.created_at, reverse=True)


def revoke_app_grant(*, identity: DigitalIdentity, source: str, grant_id: str) -> bool:
    found = APP_TOKEN_SOURCES.get(source)
    return found is not None and found.revoke(identity, grant_id)
