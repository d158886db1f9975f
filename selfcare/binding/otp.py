"""One-time codes for number binding, as SECURITY.md "One-time codes" requires.

- 6 digits from `secrets`, valid `OTP_VALIDITY_SECONDS` (600), single use, bound to the identity and the number
  that requested it; only an HMAC-SHA256 of the code (keyed with SECRET_KEY, salted with the row's identity and
  number) is stored.
- 5 wrong attempts end a code; a new request ends the person's earlier open codes.
- Per identity at most 5 requests in 5 minutes, 20 in an hour, 50 in a day; per identity and number at most
  `OTP_MAX_PER_PERSON_AND_NUMBER_PER_DAY` requests a day (counted over every request, sent or not, so that saying
  so tells nothing about the number); at most `OTP_MAX_PER_NUMBER_PER_DAY` codes *sent* to a number a day at the
  request of *other* people (so that one person, held to their own smaller cap, cannot spend the number's budget
  and lock out its rightful user: that takes several people, each with an eID login); no more than 100
  consecutive wrong attempts per identity until one succeeds
  (or customer service clears the lockout in the back office: services.clear_failure_lockout).
  All limits are counted from the stored rows, so they hold across processes and restarts.

Not checked here: whether the number may be bound (services.py decides that, and what the person is told).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from selfcare.binding.models import FailureLockoutCleared, OneTimeCode
from selfcare.customers.models import Connection
from selfcare.identity.models import DigitalIdentity

DIGITS = 6
MAX_ATTEMPTS_PER_CODE = 5
MAX_CONSECUTIVE_FAILURES = 100
IDENTITY_LIMITS: tuple[tuple[datetime.timedelta, int], ...] = (
    (datetime.timedelta(minutes=5), 5),
    (datetime.timedelta(hours=1), 20),
    (datetime.timedelta(days=1), 50),
)


class CheckResult(StrEnum):
    OK = "ok"
    WRONG = "wrong"  # wrong code, attempts remain
    ENDED = "ended"  # wrong code and that was the last attempt
    EXPIRED = "expired"  # no open code: never requested, expired, used or ended


@dataclass(frozen=True, slots=True)
class Check:
    result: CheckResult
    code: OneTimeCode | None


def new_code() -> str:
    return f"{secrets.randbelow(10**DIGITS):0{DIGITS}d}"


def code_hash(*, identity_id: object, msisdn: str, code: str) -> str:
    message = f"binding-otp:{identity_id}:{msisdn}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def identity_limit_reached(identity: DigitalIdentity, *, now: datetime.datetime | None = None) -> bool:
    """True if the person asked for as many codes as any window allows (5/5 min, 20/h, 50/day)."""
    now = now or timezone.now()
    requests = OneTimeCode.objects.filter(identity=identity)
    return any(requests.filter(created_at__gt=now - window).count() >= limit for window, limit in IDENTITY_LIMITS)


def person_number_limit_reached(
    identity: DigitalIdentity, msisdn: str, *, now: datetime.datetime | None = None
) -> bool:
    """True if this person asked for `OTP_MAX_PER_PERSON_AND_NUMBER_PER_DAY` codes for this number in the last 24
    hours. Every request counts, sent or not, so the answer is the same for a number that is ours and one that
    is not."""
    now = now or timezone.now()
    since = now - datetime.timedelta(days=1)
    asked = OneTimeCode.objects.filter(identity=identity, msisdn=msisdn, created_at__gt=since)
    return asked.count() >= settings.OTP_MAX_PER_PERSON_AND_NUMBER_PER_DAY


def number_limit_reached(msisdn: str, *, asked_by: DigitalIdentity, now: datetime.datetime | None = None) -> bool:
    """True if other people than `asked_by` had as many codes sent to the number in the last 24 hours as
    `OTP_MAX_PER_NUMBER_PER_DAY`: the cap against many people flooding one number. The person's own sends are
    held by `person_number_limit_reached` instead, so they can neither lock themselves nor, alone, anyone else
    out (their cap is below the number's, settings.py checks)."""
    now = now or timezone.now()
    sent = OneTimeCode.objects.filter(
        msisdn=msisdn, connection__isnull=False, created_at__gt=now - datetime.timedelta(days=1)
    ).exclude(identity=asked_by)
    return sent.count() >= settings.OTP_MAX_PER_NUMBER_PER_DAY


def consecutive_failures(identity: DigitalIdentity) -> int:
    """Wrong attempts since the person's last successful code, or since customer service last cleared their
    lockout, whichever is later."""
    codes = OneTimeCode.objects.filter(identity=identity)
    last_success = codes.filter(used_at__isnull=False).order_by("-used_at").values_list("used_at", flat=True).first()
    last_cleared = (
        FailureLockoutCleared.objects.filter(identity=identity)
        .order_by("-cleared_at")
        .values_list("cleared_at", flat=True)
        .first()
    )
    since = max((moment for moment in (last_success, last_cleared) if moment is not None), default=None)
    if since is not None:
        codes = codes.filter(created_at__gt=since)
    return int(codes.aggregate(total=Sum("attempts"))["total"] or 0)


def too_many_failures(identity: DigitalIdentity) -> bool:
    return consecutive_failures(identity) >= MAX_CONSECUTIVE_FAILURES


def issue(*, identity: DigitalIdentity, msisdn: str, connection: Connection | None) -> tuple[OneTimeCode, str]:
    """Store a new code for this person and number; earlier open codes of the person end. Returns the code too:
    the caller sends it (only when `connection` is set) and must not keep or log it.

    Call inside a transaction; the caller checks the limits first.
    """
    now = timezone.now()
    OneTimeCode.objects.filter(identity=identity, used_at__isnull=True, closed_at__isnull=True).update(closed_at=now)
    code = new_code()
    row = OneTimeCode.objects.create(
        identity=identity,
        msisdn=msisdn,
        connection=connection,
        code_hash=code_hash(identity_id=identity.pk, msisdn=msisdn, code=code),
        created_at=now,
        expires_at=now + datetime.timedelta(seconds=settings.OTP_VALIDITY_SECONDS),
    )
    return row, code


def _why_no_open_code(identity: DigitalIdentity, now: datetime.datetime) -> CheckResult:
    """ENDED when the person's latest code was ended by wrong attempts and would still be valid (a sixth try gets
    the reason, not "expired or already used"); EXPIRED in every other case. The try is not counted again."""
    latest = (
        OneTimeCode.objects.filter(identity=identity, expires_at__gt=now)
        .order_by("-created_at")
        .values_list("attempts", "used_at")
        .first()
    )
    if latest is not None and latest[0] >= MAX_ATTEMPTS_PER_CODE and latest[1] is None:
        return CheckResult.ENDED
    return CheckResult.EXPIRED


def check(*, identity: DigitalIdentity, code_text: str) -> Check:
    """Check the person's open code against what they typed, and use it up if it matches.

    Call inside a transaction: the open code is locked (`select_for_update`) so that two requests cannot both
    use it or both count one attempt; a wrong attempt is saved, so the caller must not roll the transaction back.
    """
    now = timezone.now()
    row = (
        OneTimeCode.objects.select_for_update()
        .filter(identity=identity, used_at__isnull=True, closed_at__isnull=True, expires_at__gt=now)
        .order_by("-created_at")
        .first()
    )
    if row is None:
        return Check(_why_no_open_code(identity, now), None)
    typed = "".join(ch for ch in code_text if not ch.isspace())
    expected = code_hash(identity_id=identity.pk, msisdn=row.msisdn, code=typed)
    if hmac.compare_digest(expected, row.code_hash):
        row.used_at = now
        row.save(update_fields=["used_at"])
        return Check(CheckResult.OK, row)
    row.attempts += 1
    if row.attempts >= MAX_ATTEMPTS_PER_CODE:
        row.closed_at = now
    row.save(update_fields=["attempts", "closed_at"])
    return Check(CheckResult.ENDED if row.closed_at else CheckResult.WRONG, row)
