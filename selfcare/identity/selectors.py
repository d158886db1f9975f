"""Reads of the identity core shared by pages and the API."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import F
from django.http import HttpRequest

from selfcare.identifiers import PersonalCode
from selfcare.identity.models import AuthenticationRecord, DigitalIdentity, NationalIdentifier
from selfcare.identity.services import SESSION_LOGIN_AT
from selfcare.queries import MARK_UUID, Prepared

# Set on API requests by the bearer-token authentication: the eID login the token was issued from.
REQUEST_LOGIN_AT = "eid_login_at"


def identity_of(user: User | AnonymousUser) -> DigitalIdentity | None:
    if not user.is_authenticated:
        return None
    try:
        # Read with the user by the session's backend (selfcare/identity/backends.py: one statement per request for
        # both); for a user from elsewhere, one query, kept on the user for the page header's
        # `request.user.digital_identity` as for the rest of the request.
        return user.digital_identity
    except DigitalIdentity.DoesNotExist:
        return None


def identity_with_code(code: PersonalCode) -> DigitalIdentity | None:
    """The identity a national identifier (country, code) points to, superseded codes included; None if none."""
    found = NationalIdentifier.objects.select_related("identity").filter(country=code.country, code=code.code).first()
    return found.identity if found is not None else None


# The identity page's two reads, compiled once (selfcare.queries.Prepared): compiling them was a third of that
# page's CPU, and every person who logs in sees it.
_CODES = Prepared(
    NationalIdentifier,
    lambda identity_id: (
        NationalIdentifier.objects.filter(identity_id=identity_id)
        .order_by(F("superseded_at").asc(nulls_first=True), "created_at")  # the current one (no end) first everywhere
        .values_list("country", "code")
    ),
    identity_id=MARK_UUID,
)
_RECENT_AUTHENTICATIONS = 10
_AUTHENTICATIONS = Prepared(
    AuthenticationRecord,
    lambda identity_id: AuthenticationRecord.objects.filter(identity_id=identity_id).order_by("-occurred_at")[
        :_RECENT_AUTHENTICATIONS
    ],
    identity_id=MARK_UUID,
)


def national_identifiers(identity: DigitalIdentity) -> list[PersonalCode]:
    """The person's national identifiers, current first, as values pages can show (`.display`)."""
    return [PersonalCode(country, code) for country, code in _CODES.rows(identity_id=identity.pk)]


def recent_authentications(identity: DigitalIdentity) -> list[AuthenticationRecord]:
    """The person's last ten authentications, newest first."""
    return _AUTHENTICATIONS.models(identity_id=identity.pk)


def login_time(request: HttpRequest) -> float | None:
    """When the person behind this request last logged in with eID (a Unix time): the session's login for pages,
    the login the access token came from for the app API."""
    value = getattr(request, REQUEST_LOGIN_AT, None)
    if value is None and hasattr(request, "session"):
        value = request.session.get(SESSION_LOGIN_AT)
    return float(value) if isinstance(value, int | float) else None
