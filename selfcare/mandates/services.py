"""Powers of attorney through their life: create, submit, activate, reject, revoke, expire.

Every step goes through `_transition`: it locks the mandate, checks the step against `TRANSITIONS` (anything not
listed is refused with `IllegalTransition`), writes the new state, a `MandateEvent` (who, when, why) and an audit
event, all in one transaction. Notices to the attorney are sent after the commit.

Who acts is a `By`: a person (eID identity, in the portal), a staff member (back office) or the system
(the daily expiry task).
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext

from selfcare.access.contexts import Context
from selfcare.audit.services import record
from selfcare.background.mail import queue_email
from selfcare.binding.sms import queue_sms
from selfcare.customers.models import Company, Connection
from selfcare.errors import MESSAGES, ErrorCode
from selfcare.identifiers import PersonalCode
from selfcare.identity.models import DigitalIdentity, NationalIdentifier
from selfcare.mandates.models import Actor, Mandate, MandateEvent, MandateScope, MandateStatus

S = MandateStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED}),
    S.SUBMITTED: frozenset({S.ACTIVE, S.REJECTED}),
    S.ACTIVE: frozenset({S.EXPIRED, S.REVOKED}),
    S.EXPIRED: frozenset(),
    S.REVOKED: frozenset(),
    S.REJECTED: frozenset(),
}
EXPIRED_REASON = "validity ended"
AUTO_ACTIVATED_REASON = "signed by the company's representatives (automatic activation)"


class IllegalTransition(ValidationError):
    """The step is not allowed from the mandate's current state."""

    def __init__(self, current: str, wanted: str) -> None:
        super().__init__(MESSAGES[ErrorCode.MANDATE_ILLEGAL_TRANSITION], code=ErrorCode.MANDATE_ILLEGAL_TRANSITION)
        self.current, self.wanted = current, wanted


@dataclass(frozen=True)
class By:
    identity: DigitalIdentity | None = None
    staff: User | None = None
    staff_role: str = ""  # the back-office role the staff member acted in (selfcare.access.staff)

    @property
    def actor(self) -> str:
        return Actor.PERSON if self.identity else Actor.STAFF if self.staff else Actor.SYSTEM


SYSTEM = By()


def _error(code: ErrorCode, field: str | None = None, **params: object) -> ValidationError:
    error = ValidationError(MESSAGES[code], code=code, params=params or None)
    return ValidationError({field: error}) if field else error


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the month's last day when it has no such day (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def check_validity(valid_from: datetime.date, valid_until: datetime.date, *, today: datetime.date) -> None:
    """Refuse a start in the past, an end before the start, or a term over `MANDATE_MAX_TERM_MONTHS`."""
    if valid_from < today or valid_until < valid_from:
        raise _error(ErrorCode.MANDATE_DATES, "valid_until")
    months = settings.MANDATE_MAX_TERM_MONTHS
    if valid_until > add_months(valid_from, months):
        raise _error(ErrorCode.MANDATE_TERM_TOO_LONG, "valid_until", months=months)


def _event(mandate: Mandate, action: str, by: By, *, before: str = "", reason: str = "") -> MandateEvent:
    return MandateEvent.objects.create(
        mandate=mandate,
        action=action,
        from_status=before,
        to_status=mandate.status if before else "",
        actor=by.actor,
        identity=by.identity,
        staff=by.staff,
        reason=reason[:300],
    )


def _audit(request: HttpRequest | None, mandate: Mandate, action: str, by: By, context: Context | None) -> None:
    """The step's audit event. A staff step names the staff member's identity and role, the attorney as the
    person concerned and the company, so both see it on their security pages."""
    if by.staff is None:
        record(request, f"mandates:mandate:{action}", identity=by.identity, context=context, target=mandate)
        return
    attorney = (
        NationalIdentifier.objects.filter(country=mandate.attorney_country, code=mandate.attorney_code)
        .select_related("identity")
        .first()
    )
    record(
        request,
        f"mandates:mandate:{action}",
        identity=DigitalIdentity.objects.filter(user=by.staff).first(),
        target=mandate,
        staff_role=by.staff_role or "staff",
        subject=attorney.identity if attorney else None,
        company_id=mandate.company_id,
    )


def note(
    *, request: HttpRequest | None, mandate: Mandate, action: str, by: By, context: Context | None, reason: str = ""
) -> None:
    """A step that changes no state (a document attached): history and audit only."""
    _event(mandate, action, by, reason=reason)
    _audit(request, mandate, action, by, context)


def _transition(
    *,
    request: HttpRequest | None,
    mandate: Mandate,
    to: str,
    action: str,
    by: By,
    context: Context | None,
    reason: str = "",
) -> Mandate:
    with transaction.atomic():
        locked = Mandate.objects.select_for_update().get(pk=mandate.pk)
        before = locked.status
        if to not in TRANSITIONS[before]:
            raise IllegalTransition(before, to)
        locked.status, locked.status_changed_at, locked.status_reason = to, timezone.now(), reason[:300]
        locked.save(update_fields=["status", "status_changed_at", "status_reason"])
        _event(locked, action, by, before=before, reason=reason)
        _audit(request, locked, action, by, context)
    mandate.refresh_from_db()
    return mandate


def mandate_create(
    *,
    request: HttpRequest | None,
    by: By,
    context: Context | None,
    company: Company,
    attorney_code: str,
    attorney_name: str,
    valid_from: datetime.date,
    valid_until: datetime.date,
    scope: str = MandateScope.ALL,
    connections: Iterable[Connection] = (),
    attorney_phone: str = "",
    attorney_email: str = "",
) -> Mandate:
    """A draft power of attorney, ready to be printed, signed and submitted. Connections outside the company are
    ignored (the caller offers only the company's own)."""
    try:
        code = PersonalCode.parse(attorney_code)
    except ValidationError as error:
        raise ValidationError({"attorney_code": error}) from None
    check_validity(valid_from, valid_until, today=timezone.localdate())
    chosen = [c for c in connections if c.account.company_id == company.pk]
    if scope == MandateScope.SELECTED and not chosen:
        raise _error(ErrorCode.MANDATE_CONNECTIONS_REQUIRED, "connections")
    with transaction.atomic():
        mandate = Mandate(
            company=company,
            attorney_country=code.country,
            attorney_code=code.code,
            attorney_name=" ".join(attorney_name.split())[:200],
            scope=scope,
            valid_from=valid_from,
            valid_until=valid_until,
            attorney_phone=attorney_phone,
            attorney_email=attorney_email,
            created_by=by.identity,
        )
        mandate.full_clean()
        mandate.save()
        if scope == MandateScope.SELECTED:
            mandate.connections.set(chosen)
        note(request=request, mandate=mandate, action="created", by=by, context=context)
    return mandate


def mandate_submit(*, request: HttpRequest | None, mandate: Mandate, by: By, context: Context | None) -> Mandate:
    if not mandate.documents.exists():
        raise _error(ErrorCode.MANDATE_NO_DOCUMENT)
    return _transition(request=request, mandate=mandate, to=S.SUBMITTED, action="submitted", by=by, context=context)


def mandate_activate(
    *, request: HttpRequest | None, mandate: Mandate, by: By, reason: str = "", context: Context | None = None
) -> Mandate:
    """Activate a submitted mandate and tell the attorney. A mandate whose signatures did not verify can still be
    activated by staff who checked it by hand (a document signed on paper and scanned), but only with a reason."""
    if not mandate.documents.exists():
        raise _error(ErrorCode.MANDATE_NO_DOCUMENT)
    if not mandate.verified and not reason.strip():
        raise _error(ErrorCode.MANDATE_REASON_REQUIRED, "reason")
    mandate = _transition(
        request=request, mandate=mandate, to=S.ACTIVE, action="activated", by=by, context=context, reason=reason
    )
    _notify_activated(mandate)
    return mandate


def mandate_reject(
    *, request: HttpRequest | None, mandate: Mandate, by: By, reason: str, context: Context | None = None
) -> Mandate:
    if not reason.strip():
        raise _error(ErrorCode.MANDATE_REASON_REQUIRED, "reason")
    return _transition(
        request=request, mandate=mandate, to=S.REJECTED, action="rejected", by=by, context=context, reason=reason
    )


def mandate_revoke(
    *, request: HttpRequest | None, mandate: Mandate, by: By, reason: str, context: Context | None = None
) -> Mandate:
    """End an active mandate now. The attorney's company context is derived per request, so their open sessions
    lose the company at their next request."""
    if not reason.strip():
        raise _error(ErrorCode.MANDATE_REASON_REQUIRED, "reason")
    return _transition(
        request=request, mandate=mandate, to=S.REVOKED, action="revoked", by=by, context=context, reason=reason
    )


def expire_mandates(*, today: datetime.date | None = None) -> int:
    """Mark expired every active mandate whose last day has passed; the daily task. Returns how many.

    Access never waited for this (a mandate past its end gives nothing, see `MandateQuerySet.in_force`); the task
    makes the state and the history say so.
    """
    day = today or timezone.localdate()
    count = 0
    for mandate in Mandate.objects.filter(status=S.ACTIVE, valid_until__lt=day).order_by("pk"):
        try:
            _transition(
                request=None,
                mandate=mandate,
                to=S.EXPIRED,
                action="expired",
                by=SYSTEM,
                context=None,
                reason=EXPIRED_REASON,
            )
        except IllegalTransition:
            continue  # revoked by someone else meanwhile
        count += 1
    return count


def _notify_activated(mandate: Mandate) -> None:
    """SMS and/or e-mail to the attorney, in Latvian (the form's language), queued to go after the commit."""
    with translation.override(settings.LANGUAGE_CODE):
        text = gettext(
            "%(brand)s: your main user rights for %(company)s are active from %(start)s to %(end)s. "
            "Log in with your eID to manage the company's account."
        ) % {
            "brand": settings.BRAND.name,
            "company": mandate.company.name,
            "start": mandate.valid_from.strftime("%d.%m.%Y"),
            "end": mandate.valid_until.strftime("%d.%m.%Y"),
        }
        subject = gettext("Main user rights activated: %(company)s") % {"company": mandate.company.name}
    if mandate.attorney_phone:
        queue_sms(mandate.attorney_phone, text)
    if mandate.attorney_email:
        queue_email(subject, text, [mandate.attorney_email], settings.DEFAULT_FROM_EMAIL)
