"""A new connection ordered after an eID login, privately or for a company: the wizard's steps, the contract signed
in the portal, the order sent to the operator, and what the operator reports back.

Every step first asks selfcare.access whether the person may still order in the order's context
(`new_connection_context`): a power of attorney that ended mid-order stops the order (state `stopped`, reason
`portal:rights-ended`) with a clear message, and so does the check at submission, inside the submission's
transaction. What was typed is saved on the order at each step, so nothing is lost between requests.

Steps: plan (from the catalogue, for the context's segment) → number (one of the free numbers the operator offers,
or a number kept from another operator: its holder confirms with a one-time code sent to it) → SIM by post to a
Latvian address, or eSIM → summary → the contract as PDF signed with eID (selfcare.signing), validated and kept in
the documents storage → the TMF622 order (`action` `add`, the plan's offering, the number as `product.name`;
`portIn`, `donorOperator` and the porting date as `requestedStartDate` for a kept number; `simType` and the
delivery address). On completion the connection is created on the customer's account (a private account made for
a person who had none), so it appears on the dashboard in the right context.

Not checked here: the customer's credit (the operator's order system does that when it accepts the order).
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import uuid
from decimal import Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from selfcare.access.contexts import Context, ContextKind, NotFound, person_codes
from selfcare.access.policy import new_connection_context
from selfcare.audit.services import record
from selfcare.background.mail import queue_email
from selfcare.binding import otp
from selfcare.binding.sms import queue_sms
from selfcare.customers.models import Connection, ConnectionStatus, CustomerAccount, Segment, TariffPlan
from selfcare.identifiers import PersonalCode, format_msisdn, parse_msisdn
from selfcare.identifiers.msisdn import is_mobile
from selfcare.identity.models import DigitalIdentity
from selfcare.orders import client, reasons
from selfcare.orders.contract import LANGUAGES, render_contract
from selfcare.orders.models import NewConnectionOrder, NewConnectionState, NumberChoice, SimKind
from selfcare.orders.services import delivery_address
from selfcare.signing import flow
from selfcare.storage import StorageUnavailable, delete, store

logger = logging.getLogger(__name__)

CONTRACTS = "contracts"


def _invalid(message: str, field: str | None = None) -> ValidationError:
    if field:
        return ValidationError({field: message}, code="new_connection_invalid")
    return ValidationError(message, code="new_connection_invalid")


class RightsEnded(ValidationError):
    """The person may no longer order in the order's context: the order was stopped."""


def segment_of(order: NewConnectionOrder) -> str:
    return Segment.BUSINESS if order.company_id is not None else Segment.PRIVATE


def acting(order: NewConnectionOrder) -> Context:
    """The order's context, if its person may still order in it today; otherwise the order stops (RightsEnded)."""
    try:
        return new_connection_context(order.ordered_by, order.context)
    except NotFound:
        pass
    if order.state == NewConnectionState.DRAFT:
        NewConnectionOrder.objects.filter(pk=order.pk, state=NewConnectionState.DRAFT).update(
            state=NewConnectionState.STOPPED, reason_code=reasons.RIGHTS_ENDED, updated_at=timezone.now()
        )
        order.state, order.reason_code = NewConnectionState.STOPPED, reasons.RIGHTS_ENDED
        record(
            None, "orders:new-connection:stopped", identity=order.ordered_by, company_id=order.company_id, target=order
        )
    raise RightsEnded(str(reasons.REASONS[reasons.RIGHTS_ENDED]), code="rights_ended")


def _editable(order: NewConnectionOrder) -> Context:
    context = acting(order)
    if order.state != NewConnectionState.DRAFT or order.signed_at is not None:
        raise _invalid(_("This order was sent already and can no longer be changed."))
    return context


def _open_limits(identity: DigitalIdentity, company_id: int | None, *, excluding: uuid.UUID | None = None) -> None:
    """The configured caps on open orders (drafts included) per person and per company."""
    mine = NewConnectionOrder.objects.open().filter(ordered_by=identity)
    if excluding is not None:
        mine = mine.exclude(pk=excluding)
    if mine.count() >= settings.NEW_CONNECTION_MAX_OPEN_PER_PERSON:
        raise _invalid(
            _("You have %(count)s open orders for new connections. Finish or wait for them before ordering more.")
            % {"count": settings.NEW_CONNECTION_MAX_OPEN_PER_PERSON}
        )
    if company_id is not None:
        theirs = NewConnectionOrder.objects.open().filter(company_id=company_id)
        if excluding is not None:
            theirs = theirs.exclude(pk=excluding)
        if theirs.count() >= settings.NEW_CONNECTION_MAX_OPEN_PER_COMPANY:
            raise _invalid(
                _("The company has %(count)s open orders for new connections. Wait for them before ordering more.")
                % {"count": settings.NEW_CONNECTION_MAX_OPEN_PER_COMPANY}
            )


def draft_start(*, request: HttpRequest | None, identity: DigitalIdentity, context_key: str) -> NewConnectionOrder:
    """A new draft in the context named `context_key` (NotFound when the person may not order there)."""
    context = new_connection_context(identity, context_key)
    _open_limits(identity, context.company_id)
    with transaction.atomic():
        order = NewConnectionOrder.objects.create(
            ordered_by=identity, context=context.key, company_id=context.company_id
        )
        record(request, "orders:new-connection:start", identity=identity, context=context, target=order)
    return order


def plans_for(order: NewConnectionOrder) -> list[client.Offering] | None:
    """The plans on sale to the order's segment, cheapest first; None when the catalogue does not answer."""
    from selfcare.orders.selectors import catalogue_plans

    return catalogue_plans(segment_of(order))


def choose_plan(*, order: NewConnectionOrder, plan_id: str) -> NewConnectionOrder:
    _editable(order)
    plans = plans_for(order)
    if plans is None:
        raise _invalid(_("The operator's catalogue does not answer just now. Please try again later."))
    plan = next((p for p in plans if p.id == plan_id), None)
    if plan is None:
        raise _invalid(_("Choose one of the plans shown."), "plan")
    private = segment_of(order) == Segment.PRIVATE and plan.price_with_vat is not None
    order.plan_code, order.plan_name = plan.id, plan.name
    order.monthly_price = plan.price_with_vat if private else plan.price
    order.price_includes_vat = private
    order.term_months = plan.includes.term_months if plan.includes else 0
    order.save()
    return order


def offer_numbers(order: NewConnectionOrder) -> list[str]:
    """The free numbers offered to this order (asked of the operator once, then kept: a reload offers the same)."""
    if order.offered_numbers:
        return list(order.offered_numbers)
    try:
        numbers = client.free_numbers()
    except client.OrderingError:
        return []
    order.offered_numbers = numbers
    order.save(update_fields=["offered_numbers", "updated_at"])
    return numbers


def choose_new_number(*, order: NewConnectionOrder, msisdn: str) -> NewConnectionOrder:
    _editable(order)
    if msisdn not in order.offered_numbers:
        raise _invalid(_("Choose one of the numbers shown."), "msisdn")
    order.number_choice, order.msisdn = NumberChoice.NEW, msisdn
    order.donor_operator, order.porting_date, order.number_confirmed_at = "", None, None
    order.save()
    return order


def porting_window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    return (
        today + datetime.timedelta(days=settings.NEW_CONNECTION_PORTING_MIN_DAYS),
        today + datetime.timedelta(days=settings.NEW_CONNECTION_PORTING_MAX_DAYS),
    )


def _port_values(number_text: str, donor: str, date_text: str) -> tuple[str, str, datetime.date]:
    """The kept number, its operator and the porting date, or ValidationError naming each bad field."""
    errors: dict[str, str] = {}
    msisdn = ""
    try:
        msisdn = parse_msisdn(number_text.strip())
        if not is_mobile(msisdn):
            errors["number"] = _("Write a Latvian mobile number, for example 29 123 456.")
    except ValidationError as error:
        errors["number"] = " ".join(error.messages)
    if msisdn and "number" not in errors and Connection.objects.not_terminated().filter(msisdn=msisdn).exists():
        errors["number"] = _("This number is already ours: it cannot be moved here from another operator.")
    if donor not in settings.NEW_CONNECTION_DONOR_OPERATORS:
        errors["donor"] = _("Choose the operator the number is with now.")
    day: datetime.date | None = None
    try:
        day = datetime.date.fromisoformat(date_text.strip())
    except ValueError:
        errors["porting_date"] = _("Write the porting date as a date, for example 2027-01-15.")
    if day is not None:
        first, last = porting_window(timezone.localdate())
        if not first <= day <= last or day.weekday() >= 5:
            errors["porting_date"] = _("Choose a working day from %(first)s to %(last)s.") % {
                "first": first.isoformat(),
                "last": last.isoformat(),
            }
    if errors or day is None:
        raise ValidationError(errors, code="new_connection_invalid")
    return msisdn, donor, day


def choose_port(
    *, request: HttpRequest | None, order: NewConnectionOrder, number_text: str, donor: str, date_text: str
) -> NewConnectionOrder:
    """Keep a number from another operator: checked, then a one-time code goes to it for its holder to confirm."""
    _editable(order)
    msisdn, donor, day = _port_values(number_text, donor, date_text)
    identity = order.ordered_by
    if otp.identity_limit_reached(identity) or otp.person_number_limit_reached(identity, msisdn):
        raise _invalid(_("Too many codes were asked for. Please wait a while and try again."), "number")
    with transaction.atomic():
        order.number_choice, order.msisdn, order.donor_operator, order.porting_date = (
            NumberChoice.PORT,
            msisdn,
            donor,
            day,
        )
        order.number_confirmed_at = None
        order.save()
        _row, code = otp.issue(identity=identity, msisdn=msisdn, connection=None)
        with translation.override(settings.LANGUAGE_CODE):
            text = _("%(brand)s: your code to move this number to us is %(code)s. Never tell it to anyone.") % {
                "brand": settings.BRAND.name,
                "code": code,
            }
        queue_sms(msisdn, text)
        record(request, "orders:new-connection:port-code", identity=identity, company_id=order.company_id, target=order)
    return order


def confirm_port(*, order: NewConnectionOrder, code_text: str) -> NewConnectionOrder:
    """The number's holder typed the code sent to it."""
    _editable(order)
    if order.number_choice != NumberChoice.PORT or not order.msisdn:
        raise _invalid(_("Choose the number first."))
    with transaction.atomic():
        checked = otp.check(identity=order.ordered_by, code_text=code_text)
    if checked.result != otp.CheckResult.OK or checked.code is None or checked.code.msisdn != order.msisdn:
        if checked.result == otp.CheckResult.WRONG:
            raise _invalid(_("The code is not right. Check the SMS and try again."), "code")
        raise _invalid(_("The code has expired or was used. Ask for a new one."), "code")
    order.number_confirmed_at = timezone.now()
    order.save(update_fields=["number_confirmed_at", "updated_at"])
    return order


def choose_sim(*, order: NewConnectionOrder, kind: str, values: dict[str, Any]) -> NewConnectionOrder:
    _editable(order)
    if kind == SimKind.ESIM:
        order.sim_kind, order.delivery = SimKind.ESIM, {}
    elif kind == SimKind.SIM:
        order.delivery = delivery_address(values)
        order.sim_kind = SimKind.SIM
    else:
        raise _invalid(_("Choose a SIM card by post or an eSIM."), "sim_kind")
    order.save()
    return order


def missing(order: NewConnectionOrder) -> str:
    """The first step not done yet ("" when the order is ready to sign)."""
    if not order.plan_code:
        return "plan"
    if not order.msisdn:
        return "number"
    if order.number_choice == NumberChoice.PORT and order.number_confirmed_at is None:
        return "confirm"
    if not order.sim_kind:
        return "sim"
    return ""


def _signing_code(identity: DigitalIdentity) -> PersonalCode:
    code = identity.identifiers.filter(superseded_at__isnull=True).values_list("country", "code").first()
    if code is None:
        raise _invalid(_("Your eID gives no personal code to sign with."))
    return PersonalCode.parse(code[1], country=code[0])


def signing_start(*, request: HttpRequest | None, order: NewConnectionOrder, language: str) -> flow.Signing:
    """Render the contract in `language` and start signing it with Smart-ID as the person who orders."""
    _editable(order)
    if missing(order):
        raise _invalid(_("Some steps are not done yet."))
    _open_limits(order.ordered_by, order.company_id, excluding=order.pk)
    order.contract_language = language if language in LANGUAGES else settings.LANGUAGE_CODE
    order.save(update_fields=["contract_language", "updated_at"])
    pdf = render_contract(order, order.ordered_by, order.contract_language)
    with translation.override(order.contract_language):
        display = _("Contract: %(plan)s") % {"plan": order.plan_name}
    signing = flow.start(
        pdf=pdf, code=_signing_code(order.ordered_by), method="smartid", display_text=display[:60], reason=str(order.pk)
    )
    record(
        request, "orders:new-connection:signing", identity=order.ordered_by, company_id=order.company_id, target=order
    )
    return signing


def _check_signature(order: NewConnectionOrder, signed_pdf: bytes) -> None:
    """Counts only if valid and signed by the person who orders (SECURITY.md "Documents")."""
    from selfcare.mandates.signatures import validate_document

    report = validate_document(signed_pdf)
    codes = {code for country, code in person_codes(order.ordered_by) if country == "LV"}
    if not report.valid or not any(s.personal_code in codes for s in report.signers):
        raise _invalid(_("The signature on the contract could not be confirmed. Please sign again."))
    if f"selfcare-new-connection {order.pk}".encode() not in signed_pdf:
        raise _invalid(_("The signature on the contract could not be confirmed. Please sign again."))


def signing_complete(
    *, request: HttpRequest | None, order: NewConnectionOrder, signed_pdf: bytes
) -> NewConnectionOrder:
    """Keep the signed contract, then send the order (rights and limits checked again, in the same transaction)."""
    _check_signature(order, signed_pdf)
    name = f"{CONTRACTS}/{uuid.uuid4()}.pdf"
    try:
        store(name, signed_pdf)
    except StorageUnavailable:
        raise _invalid(_("The signed contract could not be kept just now. Please sign again later.")) from None
    try:
        with transaction.atomic():
            # Only the order's row is locked: PostgreSQL cannot lock the nullable side of the outer join to the
            # company (a private order has none), and the company and person need no lock here.
            locked = (
                NewConnectionOrder.objects.select_for_update(of=("self",))
                .select_related("ordered_by", "company")
                .get(pk=order.pk)
            )
            context = _editable(locked)
            _open_limits(locked.ordered_by, locked.company_id, excluding=locked.pk)
            locked.contract_name = name
            locked.contract_sha256 = hashlib.sha256(signed_pdf).hexdigest()
            locked.signed_at = timezone.now()
            locked.flagged = address_flag(locked)
            locked.state = NewConnectionState.ACKNOWLEDGED
            locked.submitted_at = timezone.now()
            locked.save()
            record(request, "orders:new-connection:signed", identity=locked.ordered_by, context=context, target=locked)
    except ValidationError:
        # Nothing was sent: the signed contract never counted, and a right that ended stops the order for good
        # (recorded here, outside the transaction the refusal rolled back).
        delete(name)
        order.refresh_from_db()
        acting(order)
        raise
    _submit(locked)
    locked.refresh_from_db()
    return locked


def address_flag(order: NewConnectionOrder) -> str:
    """Many orders to one delivery address in a short time is a pattern of fraud: the back office looks."""
    if order.sim_kind != SimKind.SIM:
        return ""
    since = timezone.now() - datetime.timedelta(days=settings.NEW_CONNECTION_ADDRESS_DAYS)
    key = {k: order.delivery.get(k) for k in ("deliveryStreet", "deliveryPostcode")}
    same = (
        NewConnectionOrder.objects.filter(created_at__gte=since, sim_kind=SimKind.SIM, signed_at__isnull=False)
        .exclude(pk=order.pk)
        .filter(delivery__deliveryStreet=key["deliveryStreet"], delivery__deliveryPostcode=key["deliveryPostcode"])
        .count()
    )
    if same >= settings.NEW_CONNECTION_ADDRESS_MAX_ORDERS:
        return f"address used by {same + 1} orders in {settings.NEW_CONNECTION_ADDRESS_DAYS} days"
    return ""


def order_body(order: NewConnectionOrder) -> dict[str, Any]:
    characteristics: dict[str, str] = {"simType": order.sim_kind}
    characteristics.update({k: str(v) for k, v in order.delivery.items()})
    body: dict[str, Any] = {
        "externalId": str(order.id),
        "@type": "ProductOrder",
        "category": segment_of(order),
        "description": "New connection",
        "productOrderItem": [
            {
                "id": "1",
                "action": "add",
                "@type": "ProductOrderItem",
                "productOffering": {"id": order.plan_code},
                "product": {
                    "name": order.msisdn,
                    "productCharacteristic": [
                        {"name": name, "value": value} for name, value in sorted(characteristics.items())
                    ],
                },
            }
        ],
    }
    if order.number_choice == NumberChoice.PORT and order.porting_date is not None:
        item = body["productOrderItem"][0]["product"]["productCharacteristic"]
        item.extend([{"name": "portIn", "value": "true"}, {"name": "donorOperator", "value": order.donor_operator}])
        body["requestedStartDate"] = order.porting_date.isoformat()
    return body


def _submit(order: NewConnectionOrder) -> None:
    try:
        remote = client.place_order(order_body(order))
    except client.OrderingRefused:
        apply_state(order=order, state=NewConnectionState.REJECTED, reason_code=reasons.REFUSED)
        return
    except client.OrderingUnavailable:
        apply_state(order=order, state=NewConnectionState.FAILED, reason_code=reasons.UNAVAILABLE)
        return
    NewConnectionOrder.objects.filter(pk=order.pk).update(external_id=remote.id, checked_at=timezone.now())
    order.external_id = remote.id
    apply_state(
        order=order,
        state=remote.state,
        reason=remote.reason,
        reason_code=remote.reason_code,
        activation_code=remote.activation_code,
    )


_KNOWN = {s.value for s in NewConnectionState} - {NewConnectionState.DRAFT, NewConnectionState.STOPPED}


def apply_state(
    *, order: NewConnectionOrder, state: str, reason: str = "", reason_code: str = "", activation_code: str = ""
) -> NewConnectionOrder:
    """What the operator reports; on completion the connection is created, once. A final order never changes."""
    if state not in _KNOWN:
        logger.warning("new connection %s: unknown state %r ignored", order.pk, state)
        return order
    with transaction.atomic():
        locked = NewConnectionOrder.objects.select_for_update().get(pk=order.pk)
        if locked.is_final or (locked.state == state and activation_code == locked.activation_code):
            return locked
        changed = locked.state != state
        locked.state = state
        ended_badly = state in (NewConnectionState.FAILED, NewConnectionState.REJECTED)
        locked.reason = reason[:300] if ended_badly else ""
        locked.reason_code = reason_code[:60] if ended_badly else ""
        ready = bool(activation_code) and not locked.activation_code
        if activation_code:
            locked.activation_code = activation_code
        if state == NewConnectionState.COMPLETED:
            locked.connection = _create_connection(locked)
        locked.save()
        if changed:
            record(None, f"orders:new-connection:{state}", identity=None, company_id=locked.company_id, target=locked)
    if changed or ready:
        transaction.on_commit(partial(_enqueue_notice, locked.pk))
    return locked


def _account_for(order: NewConnectionOrder) -> CustomerAccount:
    """The company's account, or the person's private account (made for a person who had none)."""
    if order.company_id is not None:
        account = CustomerAccount.objects.filter(company_id=order.company_id).order_by("pk").first()
        if account is not None:
            return account
        return CustomerAccount.objects.create(
            account_number=f"B-{uuid.uuid4().hex[:10].upper()}", kind=Segment.BUSINESS, company_id=order.company_id
        )
    country, code = next(((c, n) for c, n in person_codes(order.ordered_by)), ("LV", ""))
    account = CustomerAccount.objects.held_by(country=country, personal_code=code).order_by("pk").first()
    if account is not None:
        return account
    return CustomerAccount.objects.create(
        account_number=f"P-{uuid.uuid4().hex[:10].upper()}",
        kind=Segment.PRIVATE,
        holder_country=country,
        holder_personal_code=code,
        holder_name=order.ordered_by.full_name,
    )


def _create_connection(order: NewConnectionOrder) -> Connection:
    if order.connection_id is not None:
        return Connection.objects.get(pk=order.connection_id)
    plan = TariffPlan.objects.filter(code=order.plan_code).first()
    if plan is None:
        # The operator sells a plan the portal does not know yet: known by its catalogue name and price until the
        # plans are imported.
        plan = TariffPlan.objects.create(
            code=order.plan_code,
            name=order.plan_name[:100],
            segment=segment_of(order),
            monthly_fee=order.monthly_price or Decimal(0),
            eu_data_bytes=0,
        )
    now = timezone.now()
    return Connection.objects.create(
        msisdn=order.msisdn,
        account=_account_for(order),
        tariff_plan=plan,
        status=ConnectionStatus.ACTIVE,
        activated_on=timezone.localdate(),
        ported_in_at=now if order.number_choice == NumberChoice.PORT else None,
        sim_changed_at=now,
    )


def follow_up(order: NewConnectionOrder, *, force: bool = False) -> NewConnectionOrder:
    """Polling, the fallback when no event came; and the eSIM that never became ready goes to the back office."""
    if order.state not in (NewConnectionState.ACKNOWLEDGED, NewConnectionState.IN_PROGRESS) or not order.external_id:
        return order
    now = timezone.now()
    due = order.checked_at is None or (now - order.checked_at).total_seconds() >= settings.ORDERING_POLL_SECONDS
    if force or due:
        NewConnectionOrder.objects.filter(pk=order.pk).update(checked_at=now)
        try:
            remote = client.get_order(order.external_id)
        except client.OrderingError:
            logger.info("new connection %s: the operator did not answer a poll", order.pk)
        else:
            order = apply_state(
                order=order,
                state=remote.state,
                reason=remote.reason,
                reason_code=remote.reason_code,
                activation_code=remote.activation_code,
            )
    return esim_timeout(order, now=now)


ESIM_LATE = "eSIM not ready in time"


def esim_timeout(order: NewConnectionOrder, *, now: datetime.datetime) -> NewConnectionOrder:
    """An eSIM order still not ready NEW_CONNECTION_ESIM_TIMEOUT_MINUTES after submission is flagged to the back
    office (once), which takes it up with the operator; the person is told it is being looked into."""
    if (
        order.sim_kind != SimKind.ESIM
        or order.is_final
        or order.activation_code
        or order.submitted_at is None
        or ESIM_LATE in order.flagged
        or now - order.submitted_at < datetime.timedelta(minutes=settings.NEW_CONNECTION_ESIM_TIMEOUT_MINUTES)
    ):
        return order
    flagged = f"{order.flagged}; {ESIM_LATE}" if order.flagged else ESIM_LATE
    NewConnectionOrder.objects.filter(pk=order.pk).update(flagged=flagged)
    order.flagged = flagged
    record(None, "orders:new-connection:esim-late", identity=None, company_id=order.company_id, target=order)
    return order


def poll_new_connections() -> int:
    count = 0
    open_orders = NewConnectionOrder.objects.filter(
        state__in=(NewConnectionState.ACKNOWLEDGED, NewConnectionState.IN_PROGRESS)
    ).exclude(external_id="")
    for order in open_orders.select_related("ordered_by").order_by("checked_at"):
        follow_up(order)
        count += 1
    return count


def _enqueue_notice(order_id: uuid.UUID) -> None:
    from selfcare.orders.tasks import notify_new_connection

    notify_new_connection.enqueue(str(order_id))


def notify(order_id: uuid.UUID) -> None:
    """Tell the person where the order stands (SMS to their number if they have one, e-mail if given), in Latvian."""
    from selfcare.security.devices import notification_number
    from selfcare.security.models import NotificationContact

    order = NewConnectionOrder.objects.select_related("ordered_by").get(pk=order_id)
    with translation.override(settings.LANGUAGE_CODE):
        number = format_msisdn(order.msisdn) if order.msisdn else ""
        if order.state == NewConnectionState.COMPLETED:
            what = _("the number %(number)s is active") % {"number": number}
        elif order.activation_code:
            what = _("your eSIM for %(number)s is ready: scan its code in the portal") % {"number": number}
        elif order.state == NewConnectionState.IN_PROGRESS and order.porting_date:
            what = _("the number %(number)s moves to us on %(date)s") % {
                "number": number,
                "date": order.porting_date.isoformat(),
            }
        else:
            what = order.get_state_display()
        text = _("%(brand)s: your new connection: %(what)s.") % {"brand": settings.BRAND.name, "what": what}
        if order.reason_shown:
            text += " " + order.reason_shown
        subject = _("%(brand)s: your new connection") % {"brand": settings.BRAND.name}
    to = notification_number(order.ordered_by)
    if to:
        queue_sms(to, text)
    address = NotificationContact.objects.filter(identity=order.ordered_by).values_list("email", flat=True).first()
    if address:
        queue_email(subject, text, [address])


def kind_of(order: NewConnectionOrder) -> ContextKind:
    return ContextKind.PRIVATE if order.company_id is None else ContextKind.COMPANY
