"""Writes of the identity core: turning a verified eID result into the person's digital identity and a fresh
login session, recording every attempt, and the back office's change of personal code.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable, Mapping, Sequence

from django.conf import settings
from django.contrib.auth import get_user_model, login, logout
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from selfcare.errors import MESSAGES, ErrorCode
from selfcare.identifiers import COUNTRIES, PersonalCode
from selfcare.identity.methods.base import (
    BadResponse,
    Cancelled,
    EidError,
    Refused,
    TimedOut,
    Unavailable,
    VerifiedIdentity,
)
from selfcare.identity.models import AuthenticationRecord, AuthResult, DigitalIdentity, NationalIdentifier

logger = logging.getLogger(__name__)

SESSION_LOGIN_AT = "identity.login_at"
SESSION_LAST_SEEN = "identity.last_seen"
SESSION_METHOD = "identity.method"
SESSION_LEVEL = "identity.level"

_RESULTS: Mapping[type[EidError], AuthResult] = {
    Cancelled: AuthResult.CANCELLED,
    TimedOut: AuthResult.TIMEOUT,
    Refused: AuthResult.REFUSED,
    Unavailable: AuthResult.UNAVAILABLE,
    BadResponse: AuthResult.BAD_RESPONSE,
}


def claimed_code_digest(code: str) -> str:
    """A keyed hash of a personal code, for correlating failed attempts without storing the code."""
    return hmac.new(settings.SECRET_KEY.encode(), f"personal-code:{code}".encode(), hashlib.sha256).hexdigest()


def _client(request: HttpRequest) -> tuple[str | None, str]:
    return request.META.get("REMOTE_ADDR") or None, request.META.get("HTTP_USER_AGENT", "")[:300]


def identity_for(verified: VerifiedIdentity) -> DigitalIdentity:
    """The person's digital identity, created at their first trusted authentication; names follow the evidence."""
    code = national_identifier(verified)
    if code is None:  # a wallet PID that states no personal number: a new identity of its own, never matched
        return identity_create(given_name=verified.given_name, family_name=verified.family_name)
    return identity_for_code(code=code, given_name=verified.given_name, family_name=verified.family_name)


def identity_for_code(*, code: PersonalCode, given_name: str, family_name: str) -> DigitalIdentity:
    """Find the identity (country, code) points to, or create it with that national identifier; either way the
    names become the ones given, which must come from verified evidence (a certificate, a signed answer).

    Safe under concurrency: two first logins of one person end with one identity.
    """
    now = timezone.now()
    for _attempt in range(2):
        # The lookup joins the caller's transaction (a login's) or is one of its own: a savepoint is needed only
        # around a creation, which a raced first login can make fail; a returning person's login (nearly every
        # one) then pays no SAVEPOINT and RELEASE round trips.
        with transaction.atomic(savepoint=False):
            found = (
                # The user comes along for the login that follows (its session names it); the rows locked are
                # the identifier's and the identity's, as without it.
                NationalIdentifier.objects.select_related("identity__user")
                .select_for_update(of=("self", "identity"))
                .filter(country=code.country, code=code.code)
                .first()
                if code is not None
                else None
            )
            if found is not None:
                identity = found.identity
                identity.given_name, identity.family_name = given_name, family_name
                identity.names_verified_at = now
                identity.save(update_fields=["given_name", "family_name", "names_verified_at"])
                return identity
        try:
            with transaction.atomic():
                identity = identity_create(given_name=given_name, family_name=family_name)
                NationalIdentifier.objects.create(identity=identity, country=code.country, code=code.code)
                return identity
        except IntegrityError:
            # Two first logins of the same person raced; the other one created the identity: use it.
            logger.info("identity creation raced; retrying lookup")
    raise RuntimeError("could not create or find the digital identity")


def national_identifier(verified: VerifiedIdentity) -> PersonalCode | None:
    """The (country, code) a verified identity is linked on, or None when the evidence states none.

    Only an EU wallet's PID may come without one (not every member state puts a personal number in it): such a
    person gets a new identity of their own, never one found by name or birth date. Codes of the countries with
    rules (selfcare.identifiers: LV, EE, LT) are validated by them; a wallet's code from another country is kept as
    the verified evidence gave it.
    """
    if not verified.personal_code:
        if verified.method != "eudi-wallet":
            raise Refused("no_personal_code")
        return None
    try:
        return PersonalCode.parse(verified.personal_code, country=verified.country)
    except ValidationError:
        if verified.method != "eudi-wallet" or verified.country in COUNTRIES:
            raise
    code = verified.personal_code.strip().upper()
    if not code.isalnum() or len(code) > (NationalIdentifier._meta.get_field("code").max_length or 11):
        raise Refused("unsupported_identity")
    return PersonalCode(verified.country, code)


def identity_create(*, given_name: str, family_name: str) -> DigitalIdentity:
    """A new identity with no national identifier yet (its Django user has no usable password).

    For evidence that names no personal code (an EU wallet PID without one): such an identity can still bind a
    work number or be named in a mandate through its own id; it is never merged with another by name.
    """
    user = get_user_model()._default_manager.create_user(username=_new_username())
    return DigitalIdentity.objects.create(
        user=user, given_name=given_name, family_name=family_name, names_verified_at=timezone.now()
    )


def _new_username() -> str:
    import uuid

    return f"id-{uuid.uuid4().hex}"


# A step that follows a login (selfcare/login_flow.py lists them): the request, the identity, the method's name.
AfterLogin = Callable[[HttpRequest, DigitalIdentity, str], object]


def login_verified(
    request: HttpRequest, verified: VerifiedIdentity, *, after: Sequence[AfterLogin] = ()
) -> DigitalIdentity:
    """Log the person in: identity, a new session identifier (the old one is dead), the audit record, then each
    step in `after` (the features that react to a login, which this layer does not know).

    One transaction: if the database goes away half-way, no identity exists without its record. The session is
    not saved either (Django saves none on a 5xx answer), so the person is not logged in and can try again.
    """
    with transaction.atomic():
        identity = identity_for(verified)
        if identity.status == "active":
            _start_session(request, identity, verified)
            for step in after:
                step(request, identity, verified.method)
            return identity
    record_failure(request, verified.method, Refused("identity_suspended"), identity=identity)
    raise Refused("identity_suspended")


def _start_session(request: HttpRequest, identity: DigitalIdentity, verified: VerifiedIdentity) -> None:
    # login() rotates the session key: crossing an authentication boundary must never keep a session id an
    # attacker could have planted before login (SECURITY.md 7.2.4).
    login(request, identity.user, backend="selfcare.identity.backends.EidOnlyBackend")
    now = timezone.now().timestamp()
    request.session[SESSION_LOGIN_AT] = now
    request.session[SESSION_LAST_SEEN] = now
    request.session[SESSION_METHOD] = verified.method
    request.session[SESSION_LEVEL] = verified.level
    ip, agent = _client(request)
    AuthenticationRecord.objects.create(
        identity=identity,
        method=verified.method,
        level=verified.level,
        result=AuthResult.SUCCESS,
        ip_address=ip,
        user_agent=agent,
        certificate_fingerprint=str(verified.evidence.get("certificate_sha256", ""))[:64],
    )


def record_failure(
    request: HttpRequest,
    method: str,
    error: EidError,
    *,
    claimed_code: str = "",
    identity: DigitalIdentity | None = None,
    level: str = "",
) -> AuthenticationRecord:
    ip, agent = _client(request)
    result = next((r for cls, r in _RESULTS.items() if isinstance(error, cls)), AuthResult.BAD_RESPONSE)
    # A line for the operator's logs as well as the record: a provider that cannot be reached or answers wrongly is
    # theirs to see (WARNING); a person's cancel, refusal or unanswered phone is not (INFO). The method, the reason and
    # the type of the underlying error only: no personal code, and no error text, which may quote a URL holding one.
    cause = type(error.__cause__).__name__ if error.__cause__ is not None else "-"
    logger.log(
        logging.WARNING if isinstance(error, Unavailable | BadResponse) else logging.INFO,
        "eID login failed: method=%s result=%s reason=%s cause=%s",
        method,
        result,
        error.reason or error.code,
        cause,
    )
    return AuthenticationRecord.objects.create(
        identity=identity,
        method=method,
        level=level,
        result=result,
        reason=(error.reason or error.code)[:60],
        ip_address=ip,
        user_agent=agent,
        claimed_code_digest=claimed_code_digest(claimed_code) if claimed_code else "",
    )


def logout_session(request: HttpRequest) -> None:
    """End the session on the server (SECURITY.md 7.4.1): its data is deleted, its id is worthless. The pages call
    selfcare.login_flow.log_out, which also ends the session's row in the person's list first."""
    logout(request)


@transaction.atomic
def change_personal_code(*, identity: DigitalIdentity, new_code: str) -> NationalIdentifier:
    """Record a person's one-time change from an old date-bearing code to a new one (PMLP).

    Both codes then resolve to the same identity. Refused (ValidationError) when the identity already changed
    once, when the change is not old-format to new-format, or when the new code already belongs to someone.
    """
    current = list(identity.identifiers.select_for_update())
    if any(i.superseded_at for i in current) or len(current) != 1:
        raise _error(ErrorCode.CODE_CHANGE_ALREADY_DONE)
    old = current[0]
    # Only Latvia issues a new random code in place of a date-bearing one (PMLP); the new code is Latvian too.
    if old.country != "LV":
        raise _error(ErrorCode.CODE_CHANGE_NOT_NEW_FORMAT)
    new = PersonalCode.parse(new_code, country=old.country)
    if not new.is_new_format or PersonalCode(old.country, old.code).is_new_format:
        raise _error(ErrorCode.CODE_CHANGE_NOT_NEW_FORMAT)
    if NationalIdentifier.objects.filter(country=new.country, code=new.code).exists():
        raise _error(ErrorCode.CODE_CHANGE_TAKEN)
    old.superseded_at = timezone.now()
    old.save(update_fields=["superseded_at"])
    return NationalIdentifier.objects.create(identity=identity, country=new.country, code=new.code)


def _error(code: ErrorCode) -> ValidationError:
    return ValidationError(MESSAGES[code], code=code.value)
