"""Reads of the identity core shared by pages and the API."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.http import HttpRequest

from selfcare.identity.models import AuthenticationRecord, DigitalIdentity
from selfcare.identity.services import SESSION_LOGIN_AT

# Set on API requests by the bearer-token authentication: the eID login the token was issued from.
REQUEST_LOGIN_AT = "eid_login_at"


def identity_of(user: User | AnonymousUser) -> DigitalIdentity | None:
    if not user.is_authenticated:
        return None
    return DigitalIdentity.objects.filter(user=user).first()


def recent_authentications(identity: DigitalIdentity, *, limit: int = 10) -> QuerySet[AuthenticationRecord]:
    return identity.authentications.order_by("-occurred_at")[:limit]


def login_time(request: HttpRequest) -> float | None:
    """When the person behind this request last logged in with eID (a Unix time): the session's login for pages,
    the login the access token came from for the app API."""
    value = getattr(request, REQUEST_LOGIN_AT, None)
    if value is None and hasattr(request, "session"):
        value = request.session.get(SESSION_LOGIN_AT)
    return float(value) if isinstance(value, int | float) else None
