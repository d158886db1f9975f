"""Orders: placing them with the operator, an employee's requests and the main user's decision, and what the
operator reports back (events to our callback, or polling when none came).

Each write is atomic and audited; notices go out after commit. The connection's view changes only in
`order_apply_state`, when the operator reports the order completed: a refused or failed order leaves the
connection exactly as it was.

`order_follow_up`, `orders_poll` and `notify_person` are the follow-ups (polling fallback, notification); the task
system runs them (selfcare/orders/tasks.py, the poll every minute from selfcare/schedule.py).
"""

from __future__ import annotations

import datetime
import logging
import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from selfcare.access.contexts import Action, Context, NotFound
from selfcare.access.policy import EMPLOYEE_REQUESTS, OrderRoute, may
from selfcare.audit.services import record
from selfcare.background.mail import queue_email
from selfcare.binding.sms import queue_sms
from selfcare.customers.models import Connection, ConnectionStatus, Segment, SimState, TariffPlan
from selfcare.identifiers import format_msisdn
from selfcare.identity.models import DigitalIdentity
from selfcare.orders import client, reasons
from selfcare.orders.models import (
    FINAL_STATES,
    EmployeeOrderRights,
    ItemAction,
    Order,
    OrderItem,
    OrderKind,
    OrderState,
)

logger = logging.getLogger(__name__)

# The right each kind of order needs (selfcare.access.policy decides who has it).
KIND_ACTION: dict[str, Action] = {
    OrderKind.PLAN: Action.CHANGE_PLAN,
    OrderKind.PACK_ADD: Action.MANAGE_PACKS,
    OrderKind.PACK_REMOVE: Action.MANAGE_PACKS,
    OrderKind.BAR: Action.MANAGE_BARRINGS,
    OrderKind.UNBAR: Action.MANAGE_BARRINGS,
    OrderKind.SIM_BLOCK: Action.BLOCK_SIM,
    OrderKind.SIM_UNBLOCK: Action.BLOCK_SIM,
    OrderKind.ESIM: Action.REPLACE_SIM,
    OrderKind.SIM_REPLACE: Action.REPLACE_SIM,
    OrderKind.LABEL: Action.LABEL_CONNECTION,
    OrderKind.SUSPEND: Action.SUSPEND_CONNECTION,
    OrderKind.RESUME: Action.SUSPEND_CONNECTION,
}

# What a company can let its employees order themselves (selfcare.access.policy.EMPLOYEE_REQUESTS), as the main
# user reads it on the setting's page.
EMPLOYEE_RIGHT_LABELS: dict[Action, Any] = {
    Action.CHANGE_PLAN: gettext_lazy("Change the plan"),
    Action.MANAGE_PACKS: gettext_lazy("Add or remove packs and services"),
    Action.MANAGE_BARRINGS: gettext_lazy("Bar or unbar services (roaming, premium numbers, calls abroad)"),
    Action.REPLACE_SIM: gettext_lazy("Replace the SIM or move to eSIM"),
    Action.SUSPEND_CONNECTION: gettext_lazy("Suspend and resume the number"),
}
assert set(EMPLOYEE_RIGHT_LABELS) == set(EMPLOYEE_REQUESTS)

MAX_ITEMS = 500
# A Latvian postcode, "LV-1010" (written "1010" or "lv 1010" too). A replacement SIM is posted within Latvia only;
# no well-kept library validates Latvian postcodes (python-stdnum has none), and the format is this simple.
POSTCODE = re.compile(r"^(?:LV)?[\s-]?(\d{4})$", re.IGNORECASE)
DELIVERY_FIELDS = ("recipient", "street", "city", "postcode")
SUSPEND_MONTHS = range(1, 7)


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """What a person asks for, already parsed: the kind, the offering and the values the kind needs."""

    kind: str
    offering: str = ""
    values: dict[str, Any] = field(default_factory=dict)


def _invalid(message: str) -> ValidationError:
    return ValidationError(message, code="order_invalid")


def _catalogue(offering_id: str, category: str) -> client.Offering:
    try:
        found = client.offering(offering_id)
    except client.OrderingError:
        raise _invalid(_("The operator's catalogue does not answer just now. Please try again later.")) from None
    if found is None or found.category != category:
        raise _invalid(_("Choose one of the offers shown."))
    return found


def _item(connection: Connection, wanted: OrderRequest, today: datetime.date) -> OrderItem:
    """The order item for one connection, or ValidationError when the change does not fit this connection."""
    kind = wanted.kind
    if kind == OrderKind.PLAN:
        plan = _catalogue(wanted.offering, "plan")
        if connection.account.kind not in plan.segments:
            raise _invalid(_("This plan is not available for this account."))
        if plan.id == connection.tariff_plan.code:
            raise _invalid(_("The number already has this plan."))
        start = client.requested_start(plan.change_effective, today)
        values = {"changeEffective": plan.change_effective, "requestedStartDate": start.isoformat() if start else ""}
        return OrderItem(
            connection=connection, action=ItemAction.MODIFY, offering=plan.id, characteristics=values, price=plan.price
        )
    if kind in (OrderKind.PACK_ADD, OrderKind.BAR):
        category = "pack" if kind == OrderKind.PACK_ADD else "barring"
        offering = _catalogue(wanted.offering, category)
        if connection.account.kind not in offering.segments:
            raise _invalid(_("This offer is not available for this account."))
        held = connection.packs if kind == OrderKind.PACK_ADD else connection.barrings
        if offering.id in held:
            raise _invalid(_("The number already has this."))
        return OrderItem(connection=connection, action=ItemAction.ADD, offering=offering.id, price=offering.price)
    if kind in (OrderKind.PACK_REMOVE, OrderKind.UNBAR):
        held = connection.packs if kind == OrderKind.PACK_REMOVE else connection.barrings
        if kind == OrderKind.UNBAR and wanted.offering == settings.SPEND_CAP_BARRING_OFFERING:
            # Lifted only with the cap (selfcare.spend.barring), so that an unbar order cannot go around the cap.
            raise _invalid(_("This barring is lifted on the spend cap page."))
        if wanted.offering not in held:
            raise _invalid(_("The number does not have this."))
        return OrderItem(connection=connection, action=ItemAction.DELETE, offering=wanted.offering, price=Decimal(0))
    if kind == OrderKind.SIM_BLOCK:
        reason = wanted.values.get("reason")
        if reason not in (SimState.LOST, SimState.STOLEN):
            raise _invalid(_("Say whether the SIM was lost or stolen."))
        return OrderItem(connection=connection, action=ItemAction.MODIFY, characteristics={"simState": reason})
    if kind == OrderKind.SIM_UNBLOCK:
        if connection.sim_state == SimState.ACTIVE:
            raise _invalid(_("The SIM is not blocked."))
        return OrderItem(connection=connection, action=ItemAction.MODIFY, characteristics={"simState": "active"})
    if kind == OrderKind.ESIM:
        offering = _catalogue("esim-replacement", "sim")
        return OrderItem(connection=connection, action=ItemAction.MODIFY, offering=offering.id, price=offering.price)
    if kind == OrderKind.SIM_REPLACE:
        offering = _catalogue("sim-replacement", "sim")
        return OrderItem(
            connection=connection,
            action=ItemAction.MODIFY,
            offering=offering.id,
            characteristics=delivery_address(wanted.values),
            price=offering.price,
        )
    if kind == OrderKind.LABEL:
        label = str(wanted.values.get("user_label", "")).strip()[:100]
        centre = str(wanted.values.get("cost_centre", "")).strip()[:50]
        return OrderItem(
            connection=connection,
            action=ItemAction.MODIFY,
            characteristics={"userLabel": label, "costCentre": centre},
        )
    if kind == OrderKind.SUSPEND:
        months = wanted.values.get("months")
        if not isinstance(months, int) or months not in SUSPEND_MONTHS:
            raise _invalid(_("A number can be suspended for 1 to 6 months."))
        if connection.status != ConnectionStatus.ACTIVE:
            raise _invalid(_("Only an active number can be suspended."))
        until = _add_months(today, months)
        return OrderItem(
            connection=connection,
            action=ItemAction.MODIFY,
            characteristics={"status": "suspended", "suspendedUntil": until.isoformat()},
        )
    if kind == OrderKind.RESUME:
        if connection.status != ConnectionStatus.SUSPENDED:
            raise _invalid(_("The number is not suspended."))
        return OrderItem(connection=connection, action=ItemAction.MODIFY, characteristics={"status": "active"})
    raise _invalid(_("Choose one of the offers shown."))


def delivery_address(values: dict[str, Any]) -> dict[str, str]:
    """The replacement SIM's delivery address as TMF characteristics, or ValidationError naming each bad field."""
    text = {name: " ".join(str(values.get(name, "")).split()) for name in DELIVERY_FIELDS}
    errors: dict[str, str] = {}
    if not 2 <= len(text["recipient"]) <= 100:
        errors["recipient"] = _("Write who receives the SIM (2 to 100 characters).")
    if not 3 <= len(text["street"]) <= 200:
        errors["street"] = _("Write the street, house and flat (3 to 200 characters).")
    if not 2 <= len(text["city"]) <= 100:
        errors["city"] = _("Write the city or parish (2 to 100 characters).")
    postcode = POSTCODE.match(text["postcode"])
    if postcode is None:
        errors["postcode"] = _("Write a Latvian postcode, for example LV-1010.")
    if errors:
        raise ValidationError(errors, code="order_invalid")
    return {
        "deliveryRecipient": text["recipient"],
        "deliveryStreet": text["street"],
        "deliveryCity": text["city"],
        "deliveryPostcode": f"LV-{postcode.group(1)}" if postcode else "",
        "deliveryCountry": "LV",
    }


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def order_prepare(*, connections: list[Connection], wanted: OrderRequest) -> list[OrderItem]:
    """The items an order would have (unsaved): what the confirmation page shows, prices included."""
    if not connections:
        raise _invalid(_("Choose at least one number."))
    if len(connections) > MAX_ITEMS:
        raise _invalid(_("At most %(count)s numbers in one order.") % {"count": MAX_ITEMS})
    today = timezone.localdate()
    return [_item(connection, wanted, today) for connection in connections]


def order_place(
    *,
    request: HttpRequest | None,
    identity: DigitalIdentity,
    context: Context,
    route: OrderRoute,
    connections: list[Connection],
    wanted: OrderRequest,
    idempotency_key: str = "",
) -> Order:
    """One order with one item per connection, sent to the operator (or kept as a request for the main user).

    The caller has the connections from selfcare.access (`require_connection_to_order`) with `route`. The same
    idempotency key from the same person gives back the first order, whatever was sent the second time.
    """
    if idempotency_key:
        earlier = Order.objects.filter(ordered_by=identity, idempotency_key=idempotency_key).first()
        if earlier is not None:
            return earlier
    if route == OrderRoute.DENY:
        raise _invalid(_("This cannot be ordered here."))
    items = order_prepare(connections=connections, wanted=wanted)
    company_id = connections[0].account.company_id
    try:
        with transaction.atomic():
            order = Order.objects.create(
                kind=wanted.kind,
                company_id=company_id,
                context=context.key,
                ordered_by=identity,
                state=OrderState.REQUESTED if route == OrderRoute.REQUEST else OrderState.ACKNOWLEDGED,
                idempotency_key=idempotency_key,
            )
            for item in items:
                item.order = order
            OrderItem.objects.bulk_create(items)
            action = "orders:order:request" if route == OrderRoute.REQUEST else "orders:order:place"
            record(request, action, identity=identity, context=context, target=order)
    except IntegrityError:
        # The same key sent twice at the same moment: the other request made the order.
        return Order.objects.get(ordered_by=identity, idempotency_key=idempotency_key)
    if route == OrderRoute.DIRECT:
        _submit(order)
        order.refresh_from_db()
    return order


def _body(order: Order) -> dict[str, Any]:
    items = list(order.items.select_related("connection__account"))
    category = items[0].connection.account.kind if items else Segment.PRIVATE
    body: dict[str, Any] = {
        "externalId": str(order.id),
        "@type": "ProductOrder",
        "category": category,
        "description": order.get_kind_display(),
        "productOrderItem": [
            {
                "id": str(index),
                "action": item.action,
                "@type": "ProductOrderItem",
                **({"productOffering": {"id": item.offering}} if item.offering else {}),
                "product": {
                    "name": str(item.connection.msisdn),
                    "productCharacteristic": [
                        {"name": name, "value": value} for name, value in sorted(item.characteristics.items())
                    ],
                },
            }
            for index, item in enumerate(items, start=1)
        ],
    }
    starts = {str(item.characteristics.get("requestedStartDate", "")) for item in items} - {""}
    if starts:
        body["requestedStartDate"] = min(starts)
    return body


def _submit(order: Order) -> None:
    """Send the order to the operator; an unreachable or refusing system ends it at once, with the reason."""
    try:
        remote = client.place_order(_body(order))
    except client.OrderingRefused:
        order_apply_state(order=order, state=OrderState.REJECTED, reason_code=reasons.REFUSED)
        return
    except client.OrderingUnavailable:
        order_apply_state(order=order, state=OrderState.FAILED, reason_code=reasons.UNAVAILABLE)
        return
    Order.objects.filter(pk=order.pk).update(external_id=remote.id, checked_at=timezone.now())
    order.external_id = remote.id
    order_apply_state(
        order=order,
        state=remote.state,
        reason=remote.reason,
        reason_code=remote.reason_code,
        activation_code=remote.activation_code,
    )


def order_decide(
    *, request: HttpRequest | None, identity: DigitalIdentity, context: Context, order: Order, approve: bool
) -> Order:
    """The main user approves (the order goes to the operator) or declines an employee's request; audited, and
    the employee is told."""
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.state != OrderState.REQUESTED:
            raise _invalid(_("This request was already decided."))
        locked.decided_by = identity
        locked.state = OrderState.ACKNOWLEDGED if approve else OrderState.DECLINED
        locked.save(update_fields=["decided_by", "state", "updated_at"])
        record(
            request,
            "orders:request:approve" if approve else "orders:request:decline",
            identity=identity,
            context=context,
            target=locked,
        )
        if not approve:
            transaction.on_commit(partial(_enqueue_notice, locked.pk))
    if approve:
        _submit(locked)
    locked.refresh_from_db()
    return locked


_KNOWN_STATES = {OrderState.ACKNOWLEDGED, OrderState.IN_PROGRESS, OrderState.COMPLETED, OrderState.FAILED}
_KNOWN_STATES |= {OrderState.REJECTED}


def order_apply_state(
    *, order: Order, state: str, reason: str = "", reason_code: str = "", activation_code: str = ""
) -> Order:
    """What the operator reports: the new state; on completion the change reaches the connection, once.

    A final order never changes again (a late or replayed event is ignored); unknown states are ignored.
    """
    if state not in _KNOWN_STATES:
        logger.warning("order %s: unknown state %r ignored", order.pk, state)
        return order
    became_final = False
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.is_final or locked.state == state:
            return locked
        locked.state = state
        ended_badly = state in (OrderState.FAILED, OrderState.REJECTED)
        locked.reason = reason[:300] if ended_badly else ""
        locked.reason_code = reason_code[:60] if ended_badly else ""
        if activation_code:
            locked.activation_code = activation_code
        locked.save(update_fields=["state", "reason", "reason_code", "activation_code", "updated_at"])
        if state == OrderState.COMPLETED:
            _apply(locked)
        if state in FINAL_STATES:
            became_final = True
            record(None, f"orders:order:{state}", identity=None, company_id=locked.company_id, target=locked)
    if became_final:
        transaction.on_commit(partial(_enqueue_notice, locked.pk))
    return locked


def _apply(order: Order) -> None:
    """The completed order's change, on each of its connections (inside the order's transaction)."""
    now = timezone.now()
    plans = {plan.code: plan for plan in TariffPlan.objects.all()}
    for item in order.items.select_related("connection").select_for_update(of=("self",)):
        connection = Connection.objects.select_for_update().get(pk=item.connection_id)
        values = item.characteristics
        kind = order.kind
        if kind == OrderKind.PLAN and item.offering in plans:
            connection.tariff_plan = plans[item.offering]
        elif kind == OrderKind.PACK_ADD and item.offering not in connection.packs:
            connection.packs = [*connection.packs, item.offering]
        elif kind == OrderKind.PACK_REMOVE:
            connection.packs = [p for p in connection.packs if p != item.offering]
        elif kind in (OrderKind.BAR, OrderKind.CAP_BAR) and item.offering not in connection.barrings:
            connection.barrings = [*connection.barrings, item.offering]
        elif kind in (OrderKind.UNBAR, OrderKind.CAP_LIFT):
            connection.barrings = [b for b in connection.barrings if b != item.offering]
        elif kind in (OrderKind.SIM_BLOCK, OrderKind.SIM_UNBLOCK):
            connection.sim_state = str(values.get("simState", SimState.ACTIVE))
        elif kind in (OrderKind.ESIM, OrderKind.SIM_REPLACE):
            connection.sim_changed_at = now
            connection.sim_state = SimState.ACTIVE
        elif kind == OrderKind.LABEL:
            connection.user_label = str(values.get("userLabel", ""))
            connection.cost_centre = str(values.get("costCentre", ""))
        elif kind == OrderKind.SUSPEND:
            connection.status = ConnectionStatus.SUSPENDED
            connection.suspended_until = datetime.date.fromisoformat(str(values["suspendedUntil"]))
        elif kind == OrderKind.RESUME:
            connection.status = ConnectionStatus.ACTIVE
            connection.suspended_until = None
        connection.save()


def order_follow_up(order: Order, *, force: bool = False) -> Order:
    """Polling, the fallback when no event came: ask the operator about an open order not asked lately."""
    if order.state not in (OrderState.ACKNOWLEDGED, OrderState.IN_PROGRESS) or not order.external_id:
        return order
    now = timezone.now()
    due = order.checked_at is None or (now - order.checked_at).total_seconds() >= settings.ORDERING_POLL_SECONDS
    if not (force or due):
        return order
    Order.objects.filter(pk=order.pk).update(checked_at=now)
    try:
        remote = client.get_order(order.external_id)
    except client.OrderingError:
        logger.info("order %s: the operator did not answer a poll", order.pk)
        return order
    return order_apply_state(
        order=order,
        state=remote.state,
        reason=remote.reason,
        reason_code=remote.reason_code,
        activation_code=remote.activation_code,
    )


def orders_poll() -> int:
    """Follow up every open order that is due; how many were asked about."""
    count = 0
    for order in Order.objects.open_at_operator().order_by("checked_at"):
        order_follow_up(order)
        count += 1
    return count


def _enqueue_notice(order_id: uuid.UUID) -> None:
    from selfcare.orders.tasks import notify_order_outcome

    notify_order_outcome.enqueue(str(order_id))


def notify_person(order_id: uuid.UUID) -> None:
    """Tell the person who ordered how it ended (SMS to their number, e-mail if they gave one), in Latvian."""
    from selfcare.security.devices import notification_number
    from selfcare.security.models import NotificationContact

    order = Order.objects.select_related("ordered_by").get(pk=order_id)
    if order.kind in (OrderKind.CAP_BAR, OrderKind.CAP_LIFT):
        return  # placed by the portal, not by a person: selfcare.spend.barring tells the cap's recipients why
    numbers = list(order.items.values_list("connection__msisdn", flat=True)[:3])
    more = order.items.count() - len(numbers)
    with translation.override(settings.LANGUAGE_CODE):
        what = f"{order.get_kind_display()}, {', '.join(format_msisdn(str(n)) for n in numbers)}"
        if more > 0:
            what += _(" and %(count)s more") % {"count": more}
        text = _("%(brand)s: your order (%(what)s): %(state)s.") % {
            "brand": settings.BRAND.name,
            "what": what,
            "state": order.get_state_display(),
        }
        if order.reason_shown:
            text += " " + order.reason_shown
        subject = _("%(brand)s: your order") % {"brand": settings.BRAND.name}
    number = notification_number(order.ordered_by)
    if number:
        queue_sms(number, text)
    address = NotificationContact.objects.filter(identity=order.ordered_by).values_list("email", flat=True).first()
    if address:
        queue_email(subject, text, [address])  # a worker sends it, retried while the mail server is away


def set_employee_order_rights(
    *, request: HttpRequest | None, identity: DigitalIdentity, context: Context, actions: list[str]
) -> EmployeeOrderRights:
    """The main user decides which orders employees place on their own work number without approval; audited."""
    if not may(context, Action.MANAGE_EMPLOYEE_ORDER_RIGHTS) or context.company_id is None:
        raise NotFound(context.key)
    unknown = [a for a in actions if a not in EMPLOYEE_REQUESTS]
    if unknown:
        raise _invalid(_("Choose among the changes shown."))
    chosen = sorted(set(actions))
    with transaction.atomic():
        rights, _created = EmployeeOrderRights.objects.select_for_update().get_or_create(company_id=context.company_id)
        rights.actions = chosen
        rights.changed_by = identity
        rights.save()
        record(request, "orders:employee-rights:set", identity=identity, context=context, target=rights)
    return rights


class StaleLogin(Exception):
    """The PUK needs an eID login at most PUK_FRESH_LOGIN_SECONDS old."""


def puk_reveal(*, request: HttpRequest, identity: DigitalIdentity, context: Context, connection: Connection) -> str:
    """The SIM's PUK, only right after an eID login (whoever holds an open session must not read it), audited.

    The caller has the connection from selfcare.access with VIEW_PUK."""
    from selfcare.identity.selectors import login_time

    login_at = login_time(request)
    if login_at is None or login_at < timezone.now().timestamp() - settings.PUK_FRESH_LOGIN_SECONDS:
        raise StaleLogin
    try:
        puk = client.sim_puk(str(connection.msisdn))
    except client.OrderingError:
        raise _invalid(_("The operator's system did not answer. Please try again later.")) from None
    record(request, "orders:puk:view", identity=identity, context=context, target=connection)
    return puk
