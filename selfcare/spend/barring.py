"""Barring chargeable services when a connection's spend reaches its cap, and lifting the barring again.

The cap's owner chooses it (`SpendCap.at_cap == AtCap.BAR`). Three steps, each safe to run twice:

1. Ingestion (selfcare.spend.alerts, in its transaction) finds the spend at or over the cap in a cycle that has
   not ended and inserts a `CapBarring` row with ON CONFLICT DO NOTHING: only the batch that inserted it queues
   step 2, so late or repeated events place one order per cycle and cap amount.
2. `barring_place` (a task) places the order through selfcare.orders (kind CAP_BAR, the catalogue's offering
   SPEND_CAP_BARRING_OFFERING) on behalf of the cap's owner, once: the row is locked and the order linked to it in
   one transaction, and the order goes to the operator after it commits.
3. `barrings_follow_up` (every minute, selfcare/schedule.py) moves each open barring on from what the operator
   reported: tells the number and the main user once the barring is in force (or refused), wants it lifted when
   the cycle has ended, places the lifting order (kind CAP_LIFT) once the barring is in force, and tells them
   again when it is lifted. A raised or removed cap and a lift by hand want the lift at once (`lift_wanted`).

Whether the connection is barred is what the operator reported (the connection's barrings, changed by the
orders when they complete), never this module's guess. Not done: barring on a cap reached in a cycle that has
already ended (a late event can still alert for it, but the new cycle is not barred for it).
"""

from __future__ import annotations

import datetime
import logging
import uuid
from decimal import Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connection as db
from django.db import transaction
from django.http import HttpRequest
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from selfcare.access.contexts import Context
from selfcare.audit.services import record
from selfcare.background.mail import queue_email
from selfcare.binding.sms import queue_sms
from selfcare.customers.models import Connection, CustomerAccount
from selfcare.formats.money import format_money
from selfcare.identifiers.msisdn import format_msisdn
from selfcare.identity.models import DigitalIdentity
from selfcare.orders.models import ItemAction, Order, OrderItem, OrderKind, OrderState
from selfcare.queries import MARK_ID, Prepared
from selfcare.security.devices import notification_number
from selfcare.security.models import NotificationContact
from selfcare.spend.models import AtCap, CapBarring, LiftReason, SpendCap
from selfcare.usage.cycles import local_day

logger = logging.getLogger(__name__)

ENDED_BADLY = (OrderState.FAILED, OrderState.REJECTED, OrderState.DECLINED)
# A barring whose task did not run (a worker lost it) is placed by the follow-up after this long.
PLACE_AGAIN_AFTER = datetime.timedelta(minutes=2)


def record_reached(rows: list[tuple[int, int, Decimal, Decimal]], *, now: datetime.datetime) -> list[int]:
    """(connection, cycle, cap amount, spend) of caps reached in a cycle still running: insert the barrings not
    recorded before and queue their placing after commit; the ids of those inserted now."""
    if not rows:
        return []
    marks = ", ".join("(%s, %s, %s, %s, %s, '', '')" for _ in rows)
    with db.cursor() as cursor:
        cursor.execute(
            "INSERT INTO spend_capbarring (connection_id, cycle_id, cap_amount, spend, reached_at, skipped, "  # noqa: S608
            f"lift_reason) VALUES {marks} ON CONFLICT (connection_id, cycle_id, cap_amount) DO NOTHING RETURNING id",
            [value for row in rows for value in (*row, now)],
        )
        ids = [barring_id for (barring_id,) in cursor.fetchall()]
    if ids:
        from selfcare.spend.tasks import place_cap_barring  # the task module imports this one

        for barring_id in ids:
            transaction.on_commit(partial(place_cap_barring.enqueue, barring_id))
    return ids


def _context_key(account: CustomerAccount) -> str:
    """The context the order is recorded in: the one its owner set the cap in (a company's, or private)."""
    return "private" if account.company_id is None else f"company-{account.company_id}"


def _in_force(connection_id: int, *, other_than: int) -> bool:
    """Another barring of this connection placed and not lifted: a second order would bar what is barred."""
    return (
        CapBarring.objects.filter(connection_id=connection_id, closed_at__isnull=True, lift_reason="")
        .exclude(pk=other_than)
        .exclude(bar_order__isnull=True)
        .exists()
    )


def _why_not(barring: CapBarring, cap: SpendCap | None, now: datetime.datetime) -> str:
    if cap is None:
        return "no cap"
    if cap.at_cap != AtCap.BAR:
        return "cap only tells"
    if cap.amount != barring.cap_amount:
        return "cap changed"
    if cap.set_by_id is None:
        return "cap has no owner"
    if barring.cycle.ends_at <= now:
        return "cycle ended"
    if settings.SPEND_CAP_BARRING_OFFERING in barring.connection.barrings or _in_force(
        barring.connection_id, other_than=barring.pk
    ):
        return "already barred"
    return ""


def barring_place(barring_id: int) -> CapBarring:
    """Place the barring's order with the operator, once (the task; running it again does nothing more)."""
    from selfcare.orders.services import _submit  # one way to the operator for every order (shared on purpose)

    now = timezone.now()
    with transaction.atomic():
        barring = (
            CapBarring.objects.select_for_update(of=("self",))
            .select_related("connection__account", "cycle")
            .get(pk=barring_id)
        )
        if barring.bar_order_id is not None or barring.skipped:
            return barring
        cap = SpendCap.objects.filter(connection_id=barring.connection_id).first()
        reason = _why_not(barring, cap, now)
        if reason or cap is None or cap.set_by_id is None:
            barring.skipped = reason
            barring.closed_at = now
            barring.save(update_fields=["skipped", "closed_at"])
            return barring
        account = barring.connection.account
        order = Order.objects.create(
            kind=OrderKind.CAP_BAR,
            company_id=account.company_id,
            context=_context_key(account),
            ordered_by_id=cap.set_by_id,
            state=OrderState.ACKNOWLEDGED,
        )
        OrderItem.objects.create(
            order=order,
            connection=barring.connection,
            action=ItemAction.ADD,
            offering=settings.SPEND_CAP_BARRING_OFFERING,
            price=Decimal(0),
        )
        barring.bar_order = order
        barring.save(update_fields=["bar_order"])
        _audit("spend:barring:place", barring, account, cap.set_by_id)
    _submit(order)
    return barring


def _audit(action: str, barring: CapBarring, account: CustomerAccount, owner_id: uuid.UUID) -> None:
    """The portal acted on the owner's standing choice: no person did it now, so no identity; the company (or the
    private owner) sees it on their security page."""
    subject = DigitalIdentity.objects.get(pk=owner_id) if account.company_id is None else None
    record(None, action, identity=None, company_id=account.company_id, subject=subject, target=barring)


def lift_wanted(
    *,
    connection: Connection,
    reason: LiftReason,
    now: datetime.datetime,
    request: HttpRequest | None = None,
    identity: DigitalIdentity | None = None,
    context: Context | None = None,
    cycle_id: int | None = None,
) -> list[int]:
    """Want every open barring of the connection lifted (a raised or removed cap, or by hand); the lifting orders go
    out after commit for those in force. The ids of the barrings concerned. Call inside the change's transaction."""
    wanted = CapBarring.objects.select_for_update().filter(
        connection=connection, closed_at__isnull=True, lift_reason=""
    )
    if cycle_id is not None:  # a raised cap concerns its cycle; an earlier cycle's barring is lifted as "cycle"
        wanted = wanted.filter(cycle_id=cycle_id)
    found = list(wanted)
    for barring in found:
        barring.lift_reason = reason
        barring.lift_wanted_at = now
        fields = ["lift_reason", "lift_wanted_at"]
        if barring.bar_order_id is None:  # not placed yet: it never will be
            barring.skipped = str(reason)
            barring.closed_at = now
            fields += ["skipped", "closed_at"]
        barring.save(update_fields=fields)
        if reason == LiftReason.BY_HAND:
            record(request, "spend:barring:lift", identity=identity, context=context, target=barring)
    ids = [b.pk for b in found if b.closed_at is None]
    for barring_id in ids:
        transaction.on_commit(partial(_follow_up_by_id, barring_id))
    return ids


def lift_by_hand(
    *, request: HttpRequest | None, identity: DigitalIdentity, context: Context, connection: Connection
) -> bool:
    """The cap's owner lifts the barring now (the caller has the connection from selfcare.access with
    MANAGE_SPEND_CAP). A barring whose lift failed before is tried again. False when there is none to lift."""
    now = timezone.now()
    with transaction.atomic():
        retry = CapBarring.objects.select_for_update().filter(connection=connection, lift_order__state__in=ENDED_BADLY)
        for barring in retry:
            barring.lift_order = None
            barring.lift_reason = ""
            barring.closed_at = None
            barring.save(update_fields=["lift_order", "lift_reason", "closed_at"])
        ids = lift_wanted(
            connection=connection,
            reason=LiftReason.BY_HAND,
            now=now,
            request=request,
            identity=identity,
            context=context,
        )
    return bool(ids)


def _follow_up_by_id(barring_id: int) -> None:
    barring = CapBarring.objects.select_related("bar_order", "lift_order", "cycle").get(pk=barring_id)
    barring_follow_up(barring, now=timezone.now())


def barrings_follow_up(*, now: datetime.datetime | None = None) -> int:
    """Move every open barring on (the periodic task); how many were looked at."""
    moment = now or timezone.now()
    count = 0
    for barring in CapBarring.objects.filter(closed_at__isnull=True).select_related("bar_order", "lift_order", "cycle"):
        barring_follow_up(barring, now=moment)
        count += 1
    return count


def barring_follow_up(barring: CapBarring, *, now: datetime.datetime) -> None:
    """One barring's next step from what the operator reported (see the module's docstring)."""
    bar = barring.bar_order
    if bar is None:
        if not barring.skipped and barring.reached_at <= now - PLACE_AGAIN_AFTER:
            barring_place(barring.pk)
        return
    if bar.state in ENDED_BADLY:
        _tell(barring, "refused", now, field="closed_at")
        return
    if bar.state != OrderState.COMPLETED:
        return  # still with the operator: selfcare.orders follows it (events, polling)
    if barring.told_barred_at is None:
        if barring.lift_reason:  # lifted before anyone was told: "barred until…" would be wrong now
            CapBarring.objects.filter(pk=barring.pk).update(told_barred_at=now)
        else:
            _tell(barring, "barred", now, field="told_barred_at")
    if not barring.lift_reason and barring.cycle.ends_at <= now:
        CapBarring.objects.filter(pk=barring.pk, lift_reason="").update(
            lift_reason=LiftReason.CYCLE, lift_wanted_at=now
        )
        barring.lift_reason, barring.lift_wanted_at = LiftReason.CYCLE, now
    if not barring.lift_reason:
        return
    lift = barring.lift_order
    if lift is None:
        _place_lift(barring.pk)
        return
    if lift.state == OrderState.COMPLETED:
        _tell(barring, "lifted", now, field="closed_at")
    elif lift.state in ENDED_BADLY:
        _tell(barring, "lift refused", now, field="closed_at")


def _place_lift(barring_id: int) -> None:
    from selfcare.orders.services import _submit  # see barring_place

    with transaction.atomic():
        barring = (
            CapBarring.objects.select_for_update(of=("self",))
            .select_related("connection__account", "bar_order")
            .get(pk=barring_id)
        )
        if barring.lift_order_id is not None or barring.bar_order is None or barring.closed_at is not None:
            return
        account = barring.connection.account
        order = Order.objects.create(
            kind=OrderKind.CAP_LIFT,
            company_id=account.company_id,
            context=_context_key(account),
            ordered_by_id=barring.bar_order.ordered_by_id,
            state=OrderState.ACKNOWLEDGED,
        )
        OrderItem.objects.create(
            order=order,
            connection=barring.connection,
            action=ItemAction.DELETE,
            offering=barring.bar_order.items.values_list("offering", flat=True).first() or "",
            price=Decimal(0),
        )
        barring.lift_order = order
        barring.save(update_fields=["lift_order"])
        _audit("spend:barring:lift-place", barring, account, barring.bar_order.ordered_by_id)
    _submit(order)


def _tell(barring: CapBarring, what: str, now: datetime.datetime, *, field: str) -> bool:
    """Queue the notice once: the row's `field` is claimed in the transaction that queues it (a follow-up run twice
    tells nothing the second time). False if another run told already."""
    with transaction.atomic():
        claimed = CapBarring.objects.filter(pk=barring.pk, **{f"{field}__isnull": True}).update(**{field: now})
        if not claimed:
            return False
        setattr(barring, field, now)
        found = CapBarring.objects.select_related("connection", "cycle", "bar_order__ordered_by").get(pk=barring.pk)
        numbers, addresses = _recipients(found)
        with translation.override(settings.LANGUAGE_CODE):
            text = notice_text(found, what)
            subject = _("%(brand)s: spending alert") % {"brand": settings.BRAND.name}
        for number in numbers:
            queue_sms(number, text)
        if addresses:
            queue_email(subject, text, addresses)
    return True


def _recipients(barring: CapBarring) -> tuple[list[str], list[str]]:
    """The number itself, the cap's owner (the main user or the private customer: their notice number and e-mail),
    and the cap's extra recipients while the cap exists: a barring is told whatever the cap's alert choices."""
    msisdn = str(barring.connection.msisdn)
    numbers = [msisdn]
    addresses: list[str] = []
    owner = barring.bar_order.ordered_by if barring.bar_order else None
    if owner is not None:
        number = notification_number(owner)
        if number:
            numbers.append(number)
        email = NotificationContact.objects.filter(identity=owner).values_list("email", flat=True).first()
        if email:
            addresses.append(email)
    cap = SpendCap.objects.filter(connection_id=barring.connection_id).first()
    for extra in cap.extra_recipients if cap else []:
        (addresses if "@" in extra else numbers).append(extra)
    return list(dict.fromkeys(numbers)), list(dict.fromkeys(addresses))


def notice_text(barring: CapBarring, what: str) -> str:
    values: dict[str, Any] = {
        "brand": settings.BRAND.name,
        "number": format_msisdn(str(barring.connection.msisdn)),
        "cap": format_money(barring.cap_amount),
        "date": formats.date_format(local_day(barring.cycle.ends_at), "SHORT_DATE_FORMAT"),
    }
    if what == "barred":
        return (
            _(
                "%(brand)s: the extra charges of %(number)s reached its monthly cap of %(cap)s. Chargeable services"
                " are barred until the new cycle starts on %(date)s."
            )
            % values
        )
    if what == "refused":
        return (
            _(
                "%(brand)s: the extra charges of %(number)s reached its monthly cap of %(cap)s, but the operator"
                " did not bar chargeable services."
            )
            % values
        )
    if what == "lifted":
        reason = LiftReason(barring.lift_reason).label if barring.lift_reason else ""
        text = _("%(brand)s: %(number)s may use chargeable services again.") % values
        return f"{text} {reason}." if reason else text
    return (
        _(
            "%(brand)s: the barring of chargeable services of %(number)s could not be lifted. Lift it on the spend"
            " cap page or call us."
        )
        % values
    )


def barring_in_force(connection: Connection) -> CapBarring | None:
    """The connection's open barring placed with the operator, the newest: what the connection page explains.

    Most connections have none. Every connection page asks, so the question is a narrow statement without an
    ORDER BY (ordering makes Django hash each selected column, and three tables' columns cost about a millisecond
    of CPU to compile: docs/performance.md), compiled once (selfcare.queries.Prepared); the barring with its orders
    and cycle is read only when there is one.
    """
    open_ones = _OPEN_BARRINGS.rows(connection_id=connection.pk)
    if not open_ones:
        return None
    newest = max(open_ones)[1]
    return CapBarring.objects.select_related("bar_order", "lift_order", "cycle").get(pk=newest)


# The question every connection page asks, compiled by Django once (its text never changes but for the connection).
_OPEN_BARRINGS = Prepared(
    CapBarring,
    lambda connection_id: (
        CapBarring.objects.filter(connection_id=connection_id, closed_at__isnull=True, bar_order__isnull=False)
        .exclude(lift_order__state=OrderState.COMPLETED)
        .order_by()
        .values_list("reached_at", "pk")
    ),
    connection_id=MARK_ID,
)
