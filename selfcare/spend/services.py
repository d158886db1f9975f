"""Setting and removing a connection's spend cap: validated, audited, and checked at once against the cycle's spend
so far (a cap set below what is already spent alerts now, not at the next event).

The caller has the connection from selfcare.access (Action.MANAGE_SPEND_CAP) in the same request; the write and its
audit event are one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from selfcare.access.contexts import Context
from selfcare.audit.services import record
from selfcare.customers.models import Connection
from selfcare.errors import MESSAGES, ErrorCode
from selfcare.identifiers.msisdn import parse_msisdn
from selfcare.identity.models import DigitalIdentity
from selfcare.spend.alerts import raise_alerts
from selfcare.spend.barring import lift_wanted
from selfcare.spend.models import MAX_EXTRA_RECIPIENTS, AtCap, LiftReason, SpendCap
from selfcare.usage.cycles import cycle_for
from selfcare.usage.models import CycleSpend

MAX_CAP = Decimal("10000")
MAX_THRESHOLDS = 3


@dataclass(frozen=True)
class CapRequest:
    """What a person asks for, as typed: parsed and checked by `cap_set`."""

    amount: str
    thresholds: list[str]
    data_alert: bool = True
    tell_user: bool = True
    tell_main_user: bool = True
    extra_recipients: str = ""
    at_cap: str = AtCap.TELL


def _invalid(code: ErrorCode, field: str) -> ValidationError:
    return ValidationError({field: ValidationError(MESSAGES[code], code=code)})


def parse_amount(text: str) -> Decimal:
    try:
        amount = Decimal(text.strip().replace(",", ".").replace("€", "").strip())
    except InvalidOperation:
        raise _invalid(ErrorCode.SPEND_CAP_AMOUNT, "amount") from None
    if not amount.is_finite() or not Decimal("1") <= amount <= MAX_CAP or amount != amount.quantize(Decimal("0.01")):
        raise _invalid(ErrorCode.SPEND_CAP_AMOUNT, "amount")
    return amount


def parse_thresholds(values: list[str]) -> list[int]:
    texts = [v.strip().rstrip("%").strip() for v in values if v.strip()]
    if len(texts) > MAX_THRESHOLDS or not all(t.isascii() and t.isdigit() for t in texts):
        raise _invalid(ErrorCode.SPEND_CAP_THRESHOLDS, "thresholds")
    numbers = sorted({int(t) for t in texts})
    if not all(1 <= n <= 100 for n in numbers):
        raise _invalid(ErrorCode.SPEND_CAP_THRESHOLDS, "thresholds")
    return numbers


def parse_recipients(text: str) -> list[str]:
    """Numbers (normalised to E.164) and e-mail addresses, one per line or separated by commas."""
    items = [item.strip() for item in text.replace(",", "\n").splitlines() if item.strip()]
    if len(items) > MAX_EXTRA_RECIPIENTS:
        raise _invalid(ErrorCode.SPEND_CAP_RECIPIENTS, "extra_recipients")
    found: list[str] = []
    for item in items:
        try:
            if "@" in item:
                validate_email(item)
                found.append(item.lower())
            else:
                found.append(parse_msisdn(item))
        except ValidationError:
            raise _invalid(ErrorCode.SPEND_CAP_RECIPIENTS, "extra_recipients") from None
    return list(dict.fromkeys(found))


def cap_set(
    *,
    request: HttpRequest | None,
    identity: DigitalIdentity,
    context: Context,
    connection: Connection,
    wanted: CapRequest,
) -> SpendCap:
    """Set (or change) the connection's cap. On bad input: ValidationError naming the field, and nothing saved."""
    amount = parse_amount(wanted.amount)
    thresholds = parse_thresholds(wanted.thresholds)
    extra = parse_recipients(wanted.extra_recipients)
    if wanted.at_cap not in AtCap.values:
        raise _invalid(ErrorCode.SPEND_CAP_AT_CAP, "at_cap")
    now = timezone.now()
    with transaction.atomic():
        cap, _created = SpendCap.objects.update_or_create(
            connection=connection,
            defaults={
                "amount": amount,
                "thresholds": thresholds,
                "data_alert": wanted.data_alert,
                "tell_user": wanted.tell_user,
                "tell_main_user": wanted.tell_main_user,
                "extra_recipients": extra,
                "at_cap": wanted.at_cap,
                "set_by": identity,
            },
        )
        record(request, "spend:cap:set", identity=identity, context=context, target=cap)
        cycle = cycle_for(connection.account, now)
        # A barring in force is lifted when the cap no longer bars, or is raised above what is spent; a cap still
        # reached keeps it (and a new amount reached bars anew: raise_alerts).
        spent = CycleSpend.objects.filter(connection=connection, cycle=cycle).values_list("amount", flat=True).first()
        if cap.at_cap != AtCap.BAR:
            lift_wanted(connection=connection, reason=LiftReason.CAP_CHANGED, now=now)
        elif (spent or 0) < amount:
            lift_wanted(connection=connection, reason=LiftReason.CAP_RAISED, now=now, cycle_id=cycle.pk)
        raise_alerts({(connection.pk, cycle.pk)}, now=now)
    return cap


def cap_remove(
    *, request: HttpRequest | None, identity: DigitalIdentity, context: Context, connection: Connection
) -> None:
    with transaction.atomic():
        cap = SpendCap.objects.filter(connection=connection).first()
        if cap is None:
            return
        record(request, "spend:cap:remove", identity=identity, context=context, target=cap)
        cap.delete()
        lift_wanted(connection=connection, reason=LiftReason.CAP_REMOVED, now=timezone.now())
