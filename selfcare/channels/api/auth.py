"""Bearer access tokens from the OpenID provider, with scopes. An operation names the scope it needs; a missing,
unknown, expired or revoked token is 401, a token without the scope 403 — both in the API's error shape. Every call
with a live token counts against the token's rate limit (`api_hit`); over it, 429 with Retry-After.

The token's person must still be an active digital identity; what they may see is decided per request by
selfcare.access, so a revoked mandate or an ended binding cuts the token's reach at once (SECURITY.md 7.4.2).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Subquery
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer
from oauth2_provider.models import AccessToken

from selfcare.channels.api.errors import ApiError, TooManyCalls
from selfcare.channels.models import ClientLogin
from selfcare.channels.oidc.claims import pairwise_subject
from selfcare.errors import ErrorCode
from selfcare.identity.models import DigitalIdentity, IdentityStatus
from selfcare.identity.selectors import REQUEST_LOGIN_AT
from selfcare.queries import one_or_none
from selfcare.security.ratelimit.web import api_hit


@dataclass(frozen=True, slots=True)
class Caller:
    identity: DigitalIdentity
    client_id: str
    scopes: frozenset[str]
    login_at: float | None
    # What the per-token rate limit counts on: the refresh-token family (a refresh does not start a new count),
    # else the access token itself.
    limit_key: str = ""

    @property
    def subject(self) -> str:
        """The person's id as this client knows it: the pairwise subject of its ID tokens."""
        return pairwise_subject(self.identity.pk, self.client_id)


class BearerToken(HttpBearer):
    def __init__(self, scope: str) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> Caller | None:
        caller = caller_for(token)
        if caller is None:
            return None
        over = api_hit(caller.limit_key)
        if over is not None:
            raise TooManyCalls(over)
        if self.scope not in caller.scopes:
            raise ApiError(403, ErrorCode.INSUFFICIENT_SCOPE)
        request.identity = caller.identity  # type: ignore[attr-defined]
        setattr(request, REQUEST_LOGIN_AT, caller.login_at)
        return caller


def caller_for(token: str) -> Caller | None:
    """The person and scopes of a live access token; None for anything else. Tokens are stored only as SHA-256.

    One query: the token with its app, person, refresh-token family and that family's client login (whether it
    was ended, and when its eID login was) — every API call pays for this, so it is one round trip, not four.
    """
    logins = ClientLogin.objects.filter(token_family=OuterRef("refresh_token__token_family"))
    rows = (
        AccessToken.objects.select_related("application", "user__digital_identity")
        .annotate(
            family=F("refresh_token__token_family"),
            login_at=Subquery(logins.values("auth_time")[:1]),
            login_revoked_at=Subquery(logins.values("revoked_at")[:1]),
            login_found=Exists(logins),
        )
        .filter(token_checksum=hashlib.sha256(token.encode()).hexdigest())
    )
    found = one_or_none(rows)  # the checksum is unique
    if found is None or found.expires <= timezone.now() or found.user is None:
        return None
    identity = getattr(found.user, "digital_identity", None)
    if identity is None or identity.status != IdentityStatus.ACTIVE:
        return None
    family = found.family
    if family is not None and (not found.login_found or found.login_revoked_at is not None):
        return None
    login_at = found.login_at
    return Caller(
        identity=identity,
        client_id=found.application.client_id,
        scopes=frozenset(found.scope.split()),
        login_at=login_at.timestamp() if login_at else None,
        limit_key=f"family:{family}" if family is not None else f"access:{found.pk}",
    )


PROFILE = BearerToken("profile")
CONNECTIONS = BearerToken("connections")
BINDING = BearerToken("binding")
USAGE = BearerToken("usage")
OFFERS = BearerToken("offers")
MANDATES = BearerToken("mandates")
ORDERS = BearerToken("orders")
BILLS = BearerToken("bills")
SPEND = BearerToken("spend")
