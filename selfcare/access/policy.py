"""The rules: which connections a context covers, and which actions each kind of context may take.

Deny by default: an action is allowed only if it is listed for the context's kind; a connection is reachable
only through `connections_in`, which starts from nothing and adds what the context grants.
"""

from __future__ import annotations

import uuid
from enum import StrEnum

from django.db.models import QuerySet

from selfcare.access.contexts import Action, Context, ContextKind, NotFound, contexts_of, resolve_context
from selfcare.binding.models import BindingStatus
from selfcare.customers.models import Connection, ConnectionStatus, CustomerAccount
from selfcare.identity.models import DigitalIdentity
from selfcare.mandates.models import Mandate
from selfcare.orders.models import EmployeeOrderRights, NewConnectionOrder, Order
from selfcare.queries import MARK_ID, MARK_IDS, MARK_OTHER_ID, MARK_UUID, Prepared
from selfcare.spend.models import UsageExport

# What a private customer orders on their own connections; a main user also names the user and cost centre.
_ORDERS: frozenset[Action] = frozenset(
    {
        Action.CHANGE_PLAN,
        Action.MANAGE_PACKS,
        Action.MANAGE_BARRINGS,
        Action.BLOCK_SIM,
        Action.REPLACE_SIM,
        Action.SUSPEND_CONNECTION,
        Action.VIEW_ORDERS,
        Action.VIEW_PUK,
    }
)

RIGHTS: dict[ContextKind, frozenset[Action]] = {
    ContextKind.PRIVATE: frozenset(
        {
            Action.VIEW_CONNECTION,
            Action.VIEW_USAGE,
            Action.CLAIM_OFFER,
            Action.VIEW_BILLS,
            Action.VIEW_SPEND,
            Action.MANAGE_SPEND_CAP,
        }
    )
    | _ORDERS,
    ContextKind.COMPANY: frozenset(
        {
            Action.VIEW_CONNECTION,
            Action.VIEW_USAGE,
            Action.MANAGE_BINDINGS,
            Action.VIEW_COMPANY,
            Action.VIEW_COMPANY_SECURITY,
            Action.VIEW_MANDATES,
            Action.SUBMIT_MANDATE,  # prepares the form; only the representatives' signatures make it count
            Action.CLAIM_OFFER,
            Action.MANAGE_OFFER_SETTINGS,
            Action.LABEL_CONNECTION,
            Action.DECIDE_REQUESTS,
            Action.MANAGE_EMPLOYEE_ORDER_RIGHTS,
            Action.VIEW_BILLS,
            # Per connection, so a mandate for selected connections covers their spend and caps too.
            Action.VIEW_SPEND,
            Action.MANAGE_SPEND_CAP,
            Action.ORDER_CONNECTION,
            Action.EXPORT_COMPANY_USAGE,
        }
    )
    | _ORDERS,
    # An employee blocks a lost SIM of their own number at once; the rest they may ask for (EMPLOYEE_REQUESTS).
    # An employee never sees the company's bills: only their own connection (DOMAIN.md 2.1).
    ContextKind.WORK: frozenset(
        {
            Action.VIEW_CONNECTION,
            Action.VIEW_USAGE,
            Action.CLAIM_OFFER,
            Action.BLOCK_SIM,
            Action.VIEW_ORDERS,
            Action.VIEW_PUK,
        }
    ),
    # A representative acts on the company's powers of attorney, not on its connections (those need a mandate);
    # the company's bills are the company's own business, so its representative sees them.
    ContextKind.REPRESENTATIVE: frozenset(
        {
            Action.VIEW_MANDATES,
            Action.SUBMIT_MANDATE,
            Action.REVOKE_MANDATE,
            Action.VIEW_BILLS,
            # A new contract binds the company: those who represent it in the register may sign one.
            Action.ORDER_CONNECTION,
            Action.EXPORT_COMPANY_USAGE,  # the bills' itemised usage, as the bills are the company's own business
        }
    ),
}


def connections_in(identity: DigitalIdentity, context: Context) -> QuerySet[Connection]:
    """The connections this context covers for this person. Terminated connections are not shown.

    The context must come from `contexts_of`/`resolve_context` for this identity today: it carries the grants.
    """
    return connections_in_for(identity.pk, context)


def connections_in_for(identity_id: uuid.UUID, context: Context) -> QuerySet[Connection]:
    """`connections_in` for the identity with this id: the statements compiled once are built from it, with markers
    for the identity's and the context's values."""
    live = Connection.objects.exclude(status=ConnectionStatus.TERMINATED)
    if context.kind == ContextKind.PRIVATE:
        return live.filter(account_id__in=context.account_ids)
    if context.kind == ContextKind.COMPANY and context.company_id is not None:
        if context.selected_ids is None:
            return live.filter(account__company_id=context.company_id)
        return live.filter(account__company_id=context.company_id, pk__in=context.selected_ids)
    if context.kind == ContextKind.WORK and context.company_id is not None:
        return live.filter(
            account__company_id=context.company_id,
            bindings__identity_id=identity_id,
            bindings__status=BindingStatus.ACTIVE,
        )
    return Connection.objects.none()


# Decisions for the company as a whole: a power of attorney limited to selected connections does not grant them.
# The company's security picture (every mandate, binding and action) is one of them, and so are its bills (a bill
# covers every connection of the account).
COMPANY_WIDE: frozenset[Action] = frozenset(
    {
        Action.MANAGE_OFFER_SETTINGS,
        Action.MANAGE_EMPLOYEE_ORDER_RIGHTS,
        Action.VIEW_COMPANY_SECURITY,
        Action.VIEW_BILLS,
        # A new contract binds the whole company: a mandate for selected connections does not reach that far.
        Action.ORDER_CONNECTION,
        Action.EXPORT_COMPANY_USAGE,
    }
)


def may(context: Context, action: Action) -> bool:
    if action in COMPANY_WIDE and context.selected_ids is not None:
        return False
    return action in RIGHTS.get(context.kind, frozenset())


class OrderRoute(StrEnum):
    """How an order in a context goes: straight to the operator, as a request the main user decides, or not at all."""

    DIRECT = "direct"
    REQUEST = "request"
    DENY = "deny"


# What an employee may ask the main user for, on their own work number (the main user approves or declines).
EMPLOYEE_REQUESTS: frozenset[Action] = frozenset(
    {Action.CHANGE_PLAN, Action.MANAGE_PACKS, Action.MANAGE_BARRINGS, Action.REPLACE_SIM, Action.SUSPEND_CONNECTION}
)


def employee_direct_actions(company_id: int | None) -> frozenset[Action]:
    """What the company lets its employees order on their own work number without the main user's approval."""
    if company_id is None:
        return frozenset()
    rights = EmployeeOrderRights.objects.filter(company_id=company_id).values_list("actions", flat=True).first()
    return frozenset(Action(a) for a in rights or () if a in EMPLOYEE_REQUESTS)


def order_route(context: Context, action: Action, *, employee_direct: frozenset[Action] | None = None) -> OrderRoute:
    """`employee_direct` is the company's `employee_direct_actions`, when the caller has read it already."""
    if may(context, action):
        return OrderRoute.DIRECT
    if context.kind == ContextKind.WORK and action in EMPLOYEE_REQUESTS:
        if employee_direct is None:
            employee_direct = employee_direct_actions(context.company_id)
        return OrderRoute.DIRECT if action in employee_direct else OrderRoute.REQUEST
    return OrderRoute.DENY


def require_connection_to_order(
    identity: DigitalIdentity, context: Context, action: Action, connection_id: int
) -> tuple[Connection, OrderRoute]:
    """The connection and how an order on it goes; NotFound if this context may neither order nor request it."""
    route = order_route(context, action)
    if route == OrderRoute.DENY:
        raise NotFound(connection_id)
    return require_connection(identity, context, Action.VIEW_CONNECTION, connection_id), route


def new_connection_context(identity: DigitalIdentity, key: str) -> Context:
    """The context in which this person may order a new connection (a new contract), named by its URL key.

    "private": anyone with a digital identity may become a private customer, also with no account yet (the context
    then carries no accounts). A company: its main user with a mandate for all its connections, or a representative
    in the register, today (read fresh: a mandate that ended since the order began refuses it). NotFound otherwise.
    """
    if key == ContextKind.PRIVATE.value:
        return next((c for c in contexts_of(identity) if c.kind == ContextKind.PRIVATE), Context(ContextKind.PRIVATE))
    context = resolve_context(identity, key)
    if not may(context, Action.ORDER_CONNECTION) or context.company_id is None:
        raise NotFound(key)
    return context


def new_connection_contexts(identity: DigitalIdentity) -> list[Context]:
    """Every context this person may order a new connection in today: private first, then companies."""
    found = [new_connection_context(identity, ContextKind.PRIVATE.value)]
    seen: set[int] = set()
    for context in contexts_of(identity):
        if context.company_id is not None and context.company_id not in seen and may(context, Action.ORDER_CONNECTION):
            seen.add(context.company_id)
            found.append(context)
    return found


def require_new_connection(identity: DigitalIdentity, order_id: uuid.UUID) -> NewConnectionOrder:
    """A new connection's order, to the person who placed it; NotFound for anyone else (and for no such order).

    Whether the person may still order in the order's context is asked at each step (`new_connection_context`)."""
    order = (
        NewConnectionOrder.objects.filter(pk=order_id, ordered_by=identity)
        .select_related("ordered_by", "company")
        .first()
    )
    if order is None:
        raise NotFound(order_id)
    return order


def orders_in(identity: DigitalIdentity, context: Context) -> QuerySet[Order]:
    """The orders on the connections this context covers (a company's whole list for its main user)."""
    if not may(context, Action.VIEW_ORDERS):
        return Order.objects.none()
    connections = connections_in(identity, context).values("pk")
    return Order.objects.filter(items__connection__in=connections).distinct()


def require_order(identity: DigitalIdentity, context: Context, action: Action, order_id: uuid.UUID) -> Order:
    """The order, if this context may take this action on it; NotFound in every other case."""
    if not may(context, action):
        raise NotFound(order_id)
    order = orders_in(identity, context).filter(pk=order_id).select_related("ordered_by").first()
    if order is None:
        raise NotFound(order_id)
    return order


def require_connection(identity: DigitalIdentity, context: Context, action: Action, connection_id: int) -> Connection:
    """The connection, if this person may take this action on it in this context; NotFound in every other case."""
    if not may(context, action):
        raise NotFound(connection_id)
    connection = _required_connection(identity.pk, context, connection_id)
    if connection is None:
        raise NotFound(connection_id)
    return connection


def _connection_with_plan_and_company(connections: QuerySet[Connection], connection_id: int) -> QuerySet[Connection]:
    """The one connection `require_connection` gives, of those a context covers, with what its pages show."""
    return connections.select_related("tariff_plan", "account__company").filter(pk=connection_id).order_by()[:1]


# `require_connection`'s statement for each kind of context, compiled once (selfcare.queries.Prepared): on every
# connection page, and compiling its joins was a tenth of the page's CPU (docs/performance.md). The conditions are
# `connections_in`'s, built with markers for the context's values.
_PRIVATE_CONNECTION = Prepared(
    Connection,
    lambda connection_id, account_ids: _connection_with_plan_and_company(
        connections_in_for(MARK_UUID, Context(ContextKind.PRIVATE, account_ids=tuple(account_ids))), connection_id
    ),
    connection_id=MARK_ID,
    account_ids=MARK_IDS,
)
_COMPANY_CONNECTION = Prepared(
    Connection,
    lambda connection_id, company_id: _connection_with_plan_and_company(
        connections_in_for(MARK_UUID, Context(ContextKind.COMPANY, company_id=company_id)), connection_id
    ),
    connection_id=MARK_ID,
    company_id=MARK_OTHER_ID,
)
_WORK_CONNECTION = Prepared(
    Connection,
    lambda connection_id, company_id, identity_id: _connection_with_plan_and_company(
        connections_in_for(identity_id, Context(ContextKind.WORK, company_id=company_id)), connection_id
    ),
    connection_id=MARK_ID,
    company_id=MARK_OTHER_ID,
    identity_id=MARK_UUID,
)


def _required_connection(identity_id: uuid.UUID, context: Context, connection_id: int) -> Connection | None:
    """The connection with this id among those the context covers (`connections_in`), with its plan, account and
    company; None when it is not one of them."""
    found: list[Connection]
    if context.kind == ContextKind.PRIVATE:
        # A person's private accounts are few: the statement is compiled once per their number.
        found = _PRIVATE_CONNECTION.models(connection_id=connection_id, account_ids=list(context.account_ids))
    elif context.kind == ContextKind.COMPANY and context.company_id is not None and context.selected_ids is None:
        found = _COMPANY_CONNECTION.models(connection_id=connection_id, company_id=context.company_id)
    elif context.kind == ContextKind.WORK and context.company_id is not None:
        found = _WORK_CONNECTION.models(
            connection_id=connection_id, company_id=context.company_id, identity_id=identity_id
        )
    else:
        # A mandate for selected connections (their number is not bounded) and every other kind: compiled per call.
        found = list(_connection_with_plan_and_company(connections_in_for(identity_id, context), connection_id))
    return found[0] if found else None


def mandate_company(context: Context, action: Action = Action.VIEW_MANDATES) -> int | None:
    """The company whose powers of attorney the context may take `action` on; None when it may not on any. The
    decision of mandates_in, for a page that reads the mandates of several contexts in one query."""
    if not may(context, action) or context.company_id is None:
        return None
    if context.kind not in (ContextKind.COMPANY, ContextKind.REPRESENTATIVE):
        return None
    return context.company_id


def mandates_in(context: Context, action: Action = Action.VIEW_MANDATES) -> QuerySet[Mandate]:
    """The powers of attorney of the context's company, if the context may take `action` on them; none otherwise."""
    company_id = mandate_company(context, action)
    if company_id is None:
        return Mandate.objects.none()
    return Mandate.objects.filter(company_id=company_id)


def require_mandate(context: Context, action: Action, mandate_id: int) -> Mandate:
    """The mandate, if this context may take this action on it; NotFound in every other case."""
    mandate = mandates_in(context, action).select_related("company").filter(pk=mandate_id).first()
    if mandate is None:
        raise NotFound(mandate_id)
    return mandate


def billing_accounts_in(context: Context, action: Action = Action.VIEW_BILLS) -> QuerySet[CustomerAccount]:
    """The customer accounts whose bills this context may see: a private customer's own accounts, a company's
    accounts for its main user and representatives; none for anyone else (an employee, a narrow mandate)."""
    if not may(context, action):
        return CustomerAccount.objects.none()
    if context.kind == ContextKind.PRIVATE:
        return CustomerAccount.objects.filter(pk__in=context.account_ids)
    if context.kind in (ContextKind.COMPANY, ContextKind.REPRESENTATIVE) and context.company_id is not None:
        return CustomerAccount.objects.filter(company_id=context.company_id)
    return CustomerAccount.objects.none()


def require_billing_account(context: Context, action: Action, account_number: str) -> CustomerAccount:
    """The account, if this context may take this action on its bills; NotFound in every other case."""
    account = billing_accounts_in(context, action).filter(account_number=account_number).first()
    if account is None:
        raise NotFound(account_number)
    return account


def company_to_export(context: Context) -> int | None:
    """The company whose whole itemised usage this context may export: a main user's whose power of attorney covers
    every connection, or a representative's; None for anyone else (an employee, a narrow mandate, a private
    customer). Terminated connections are in it: their usage is on the bills."""
    if not may(context, Action.EXPORT_COMPANY_USAGE) or context.company_id is None:
        return None
    if context.kind not in (ContextKind.COMPANY, ContextKind.REPRESENTATIVE):
        return None
    return context.company_id


def usage_exports_in(identity: DigitalIdentity, context: Context) -> QuerySet[UsageExport]:
    """The company exports this person asked for in this context (each person sees only their own files)."""
    company_id = company_to_export(context)
    if company_id is None:
        return UsageExport.objects.none()
    return UsageExport.objects.filter(company_id=company_id, requested_by=identity)
