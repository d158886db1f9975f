"""Binding a work number to a person: ask for a code, confirm it, end a binding. Every step is audited.

A company contract does not carry the employee's personal code; receiving a code on the number proves the link.
What the person is told never depends on whether the number exists or may be bound (no enumeration): only
invalid input, the person's own limits and their own code produce a message.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from selfcare.access.contexts import Action, Context, ContextKind, NotFound
from selfcare.access.policy import connections_in, may
from selfcare.audit.services import record
from selfcare.binding import otp
from selfcare.binding.models import BindingStatus, ConnectionBinding, FailureLockoutCleared, OneTimeCode
from selfcare.binding.sms import queue_sms
from selfcare.customers.models import Connection, ConnectionStatus, Segment
from selfcare.errors import MESSAGES, ErrorCode
from selfcare.identifiers.msisdn import is_mobile, parse_msisdn
from selfcare.identity.models import DigitalIdentity
from selfcare.identity.selectors import login_time

REPLACED = "replaced"
ENDED_BY_COMPANY = "ended by the company's main user"
ENDED_BY_EMPLOYEE = "ended by the employee"


def _error(code: ErrorCode, field: str | None = None) -> ValidationError:
    error = ValidationError(MESSAGES[code], code=code)
    return ValidationError({field: error}) if field else error


def eligible_connection(msisdn: str) -> Connection | None:
    """The connection a code may go to: an active connection of a business account, a Latvian mobile number,
    without a SIM change or port-in in the last `BINDING_SIM_CHANGE_QUARANTINE_DAYS` days (SECURITY.md)."""
    if not is_mobile(msisdn):
        return None
    since = timezone.now() - datetime.timedelta(days=settings.BINDING_SIM_CHANGE_QUARANTINE_DAYS)
    return (
        Connection.objects.select_related("account__company")
        .filter(msisdn=msisdn, status=ConnectionStatus.ACTIVE, account__kind=Segment.BUSINESS)
        .exclude(sim_changed_at__gt=since)
        .exclude(ported_in_at__gt=since)
        .first()
    )


def _require_fresh_login(request: HttpRequest, identity: DigitalIdentity) -> None:
    """A person who already has a work number adds another only right after an eID login (SECURITY.md 7.5.1):
    whoever holds an open session must not bind numbers to someone else's identity."""
    has_binding = (
        ConnectionBinding.objects.filter(identity=identity, status=BindingStatus.ACTIVE)
        .exclude(connection__status=ConnectionStatus.TERMINATED)
        .exists()
    )
    if not has_binding:
        return
    login_at = login_time(request)
    fresh_since = timezone.now().timestamp() - settings.BINDING_FRESH_LOGIN_SECONDS
    if login_at is None or login_at < fresh_since:
        raise _error(ErrorCode.BINDING_FRESH_LOGIN)


def _lock(identity: DigitalIdentity) -> None:
    """Serialise one person's binding requests, so that two at once cannot both pass a limit."""
    DigitalIdentity.objects.select_for_update().filter(pk=identity.pk).exists()


def sms_text(code: str) -> str:
    minutes = settings.OTP_VALIDITY_SECONDS // 60
    return gettext("Your Mans Tele2 code is %(code)s. It is valid for %(minutes)s minutes. Do not share it.") % {
        "code": code,
        "minutes": minutes,
    }


def binding_start(*, request: HttpRequest, identity: DigitalIdentity, number_text: str) -> None:
    """Ask for a code to `number_text`. Returns the same way whether or not a code was sent; raises a
    ValidationError for invalid input (field "number"), the person's limits and a stale login.

    The code goes out only to an eligible number that has not had `OTP_MAX_PER_NUMBER_PER_DAY` codes today at
    other people's request; the person's own requests for the number are held to
    `OTP_MAX_PER_PERSON_AND_NUMBER_PER_DAY` (said out loud: it counts requests for any number alike). The
    SMS is queued in this transaction and sent after it commits, in the language of the page.
    """
    try:
        msisdn = parse_msisdn(number_text)
    except ValidationError as error:
        raise ValidationError({"number": error}) from None
    _require_fresh_login(request, identity)
    with transaction.atomic():
        _lock(identity)
        if otp.too_many_failures(identity):
            raise _error(ErrorCode.BINDING_LOCKED)
        if otp.identity_limit_reached(identity):
            raise _error(ErrorCode.BINDING_TOO_MANY_REQUESTS)
        if otp.person_number_limit_reached(identity, msisdn):
            raise _error(ErrorCode.BINDING_TOO_MANY_FOR_NUMBER)
        connection = eligible_connection(msisdn)
        if connection is not None and otp.number_limit_reached(msisdn, asked_by=identity):
            connection = None  # said out loud, the cap would tell that the number is ours
        row, code = otp.issue(identity=identity, msisdn=msisdn, connection=connection)
        if connection is not None:
            queue_sms(msisdn, sms_text(code))
        record(request, "binding:code:requested", identity=identity, target=row)


def _work_context(connection: Connection) -> Context | None:
    company = connection.account.company
    if company is None:
        return None
    return Context(ContextKind.WORK, company.pk, company.name, company.registration_number)


def _bind(request: HttpRequest, identity: DigitalIdentity, connection: Connection) -> ConnectionBinding:
    context = _work_context(connection)
    current = ConnectionBinding.objects.select_for_update().filter(connection=connection, status=BindingStatus.ACTIVE)
    existing = current.first()
    if existing is not None and existing.identity_id == identity.pk:
        return existing
    if existing is not None:
        existing.status, existing.ended_at, existing.ended_reason = BindingStatus.ENDED, timezone.now(), REPLACED
        existing.save(update_fields=["status", "ended_at", "ended_reason"])
        record(request, "binding:replaced", identity=identity, context=context, target=existing)
    binding = ConnectionBinding.objects.create(connection=connection, identity=identity)
    record(request, "binding:bound", identity=identity, context=context, target=binding)
    return binding


def binding_confirm(*, request: HttpRequest, identity: DigitalIdentity, code_text: str) -> ConnectionBinding:
    """Bind the number of the person's open code if `code_text` is that code; another person's binding of the
    connection ends ("replaced"). A wrong code counts an attempt (saved) and raises a ValidationError (field
    "code"); so does a number that stopped being eligible since the code was sent."""
    _require_fresh_login(request, identity)
    failure: ErrorCode
    with transaction.atomic():
        _lock(identity)
        if otp.too_many_failures(identity):
            raise _error(ErrorCode.BINDING_LOCKED)
        checked = otp.check(identity=identity, code_text=code_text)
        if checked.result == otp.CheckResult.OK and checked.code is not None:
            connection = eligible_connection(checked.code.msisdn)
            if connection is not None and connection.pk == checked.code.connection_id:
                Connection.objects.select_for_update().filter(pk=connection.pk).exists()
                return _bind(request, identity, connection)
            failure = ErrorCode.BINDING_CODE_EXPIRED
        else:
            failure = {
                otp.CheckResult.WRONG: ErrorCode.BINDING_CODE_WRONG,
                otp.CheckResult.ENDED: ErrorCode.BINDING_CODE_ENDED,
            }.get(checked.result, ErrorCode.BINDING_CODE_EXPIRED)
        record(request, "binding:code:failed", identity=identity, target=checked.code)
    # Raised after the commit: the counted attempt must stay counted.
    raise _error(failure, "code")


def binding_end(
    *, request: HttpRequest, identity: DigitalIdentity, context: Context, binding: ConnectionBinding
) -> ConnectionBinding:
    """End an active binding: by a main user for a connection of their company (MANAGE_BINDINGS), or by the
    employee for their own. NotFound in every other case, the same as a binding that does not exist."""
    with transaction.atomic():
        locked = (
            ConnectionBinding.objects.select_for_update()
            .filter(pk=binding.pk, status=BindingStatus.ACTIVE)
            .select_related("connection")
            .first()
        )
        if locked is None or not connections_in(identity, context).filter(pk=locked.connection_id).exists():
            raise NotFound(binding.pk)
        if context.kind == ContextKind.COMPANY and may(context, Action.MANAGE_BINDINGS):
            reason = ENDED_BY_COMPANY
        elif context.kind == ContextKind.WORK and locked.identity_id == identity.pk:
            reason = ENDED_BY_EMPLOYEE
        else:
            raise NotFound(binding.pk)
        locked.status, locked.ended_at, locked.ended_reason = BindingStatus.ENDED, timezone.now(), reason
        locked.save(update_fields=["status", "ended_at", "ended_reason"])
        record(request, "binding:ended", identity=identity, context=context, target=locked)
    return locked


def clear_failure_lockout(
    *, request: HttpRequest, identity: DigitalIdentity, staff: User, staff_role: str = "customer_service"
) -> FailureLockoutCleared:
    """Customer service lets a locked-out person ask for codes again (after checking who is calling): wrong
    attempts count from zero, the person's open code ends. Raises ValidationError when the person is not locked
    out, so that a click by mistake leaves no record. Audited as "binding:lockout:cleared"."""
    with transaction.atomic():
        _lock(identity)
        failures = otp.consecutive_failures(identity)
        if failures < otp.MAX_CONSECUTIVE_FAILURES:
            raise ValidationError(gettext("This person is not locked out of one-time codes."), code="not_locked")
        now = timezone.now()
        OneTimeCode.objects.filter(identity=identity, used_at__isnull=True, closed_at__isnull=True).update(
            closed_at=now
        )
        cleared = FailureLockoutCleared.objects.create(
            identity=identity, cleared_at=now, cleared_by=staff, failures=failures
        )
        # The person is the event's identity (it is about their codes) and its subject: they see it on My security
        # among the staff's actions on their data, with the role that acted.
        record(
            request,
            "binding:lockout:cleared",
            identity=identity,
            target=cleared,
            staff_role=staff_role,
            subject=identity,
        )
    return cleared
