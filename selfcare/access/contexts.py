"""The contexts a digital identity can act in, derived from contracts, powers of attorney and number bindings.

Nothing here is stored: a context exists exactly as long as what grants it (a revoked mandate or an ended
binding removes it at the next request, also from open sessions).
"""

from __future__ import annotations

import datetime
import re
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from selfcare.binding.models import BindingStatus, ConnectionBinding
from selfcare.customers.models import ConnectionStatus, CustomerAccount, Segment
from selfcare.identity.models import DigitalIdentity, NationalIdentifier
from selfcare.mandates.models import Mandate, MandateScope, MandateStatus
from selfcare.mandates.representatives import companies_represented
from selfcare.queries import MARK_DAY, MARK_ID, MARK_UUID, Prepared


class NotFound(Exception):
    """The object does not exist or is not the person's in this context: callers cannot tell which."""


class ContextKind(StrEnum):
    PRIVATE = "private"
    COMPANY = "company"  # main user, by power of attorney
    WORK = "work"  # employee, by number binding
    REPRESENTATIVE = "representative"  # board member and the like, by the Register of Enterprises


class Action(StrEnum):
    VIEW_CONNECTION = "connection:view"
    VIEW_USAGE = "usage:view"
    CLAIM_OFFER = "offer:claim"
    MANAGE_BINDINGS = "binding:manage"
    VIEW_COMPANY = "company:view"
    VIEW_COMPANY_SECURITY = "company:security"
    VIEW_MANDATES = "mandate:view"
    SUBMIT_MANDATE = "mandate:submit"
    REVOKE_MANDATE = "mandate:revoke"
    MANAGE_OFFER_SETTINGS = "offer:settings"
    # Orders to the operator's systems (selfcare.orders): each action its own right, so a context can be given some.
    CHANGE_PLAN = "order:plan"
    MANAGE_PACKS = "order:pack"
    MANAGE_BARRINGS = "order:barring"
    BLOCK_SIM = "order:sim-block"
    REPLACE_SIM = "order:esim"
    LABEL_CONNECTION = "order:label"
    SUSPEND_CONNECTION = "order:suspend"
    VIEW_ORDERS = "order:view"
    DECIDE_REQUESTS = "order:decide"
    MANAGE_EMPLOYEE_ORDER_RIGHTS = "order:employee-rights"
    VIEW_PUK = "connection:puk"
    VIEW_BILLS = "bill:view"
    # A connection's running out-of-bundle spend, and its spend cap and alerts.
    VIEW_SPEND = "spend:view"
    MANAGE_SPEND_CAP = "spend:cap"
    # A new connection (a new contract) for the context's customer: selfcare.access.policy.new_connection_context.
    ORDER_CONNECTION = "order:new-connection"
    # The itemised usage of every connection of a company for a month, as one file (company-wide, like the bills).
    EXPORT_COMPANY_USAGE = "usage:export-company"


@dataclass(frozen=True, slots=True)
class Context:
    """A context and what grants it, read once per request by `contexts_of` (so checks need no more queries).

    `account_ids` are the private accounts (private context); `selected_ids` the connections a company's
    mandates cover when none covers all of them (None: all of the company's connections).
    """

    kind: ContextKind
    company_id: int | None = None
    company_name: str = ""
    registration_number: str = ""
    account_ids: tuple[int, ...] = ()
    selected_ids: tuple[int, ...] | None = None

    @property
    def key(self) -> str:
        """The context's name in URLs: "private", "company-12", "work-12"."""
        return self.kind.value if self.company_id is None else f"{self.kind.value}-{self.company_id}"


_KEY = re.compile(r"^(private)$|^(company|work|representative)-(\d{1,12})$")


def person_codes(identity: DigitalIdentity) -> list[tuple[str, str]]:
    """All personal codes of the person, old and new: a code change must not cut them off their contracts."""
    return [(country, code) for country, code in _CODES.rows(identity_id=identity.pk)]


def _codes_condition(codes: list[tuple[str, str]], country: str, code: str) -> Q:
    """The row's (`country`, `code`) columns are one of these codes."""
    condition = Q(pk__in=[])
    for country_value, code_value in codes:
        condition |= Q(**{country: country_value, code: code_value})
    return condition


def private_accounts(codes: list[tuple[str, str]]) -> list[int]:
    """The private accounts whose contract carries one of these codes, in one query."""
    return _private_accounts(_codes_condition(codes, "holder_country", "holder_personal_code"))


def _private_accounts(holder: Q | Exists) -> list[int]:
    """The private accounts whose holder is the person (`holder`, a condition on the account)."""
    return list(CustomerAccount.objects.filter(holder, kind=Segment.PRIVATE).values_list("pk", flat=True))


def _one_of_codes(identity_id: uuid.UUID, country: str, code: str) -> Exists:
    """The row's (`country`, `code`) columns are one of the person's personal codes, old or new: the codes read in
    the same statement (`resolve_context` needs them for one query only, so they are not read on their own)."""
    return Exists(
        NationalIdentifier.objects.filter(identity_id=identity_id, country=OuterRef(country), code=OuterRef(code))
    )


# The two reads `resolve_context` makes on every page in a private or a company context, compiled by Django once
# (selfcare.queries.Prepared): their text never changes but for the person, the day and the company, and compiling
# the codes' EXISTS with the mandates' join and ordering was about a millisecond of each page's CPU
# (docs/performance.md). The markers stand for each call's values; the conditions are the ones below.
def private_accounts_of(identity_id: uuid.UUID) -> QuerySet[CustomerAccount]:
    """The person's private accounts (a contract carrying one of their codes, old or new) as one query, the codes
    read in it: for a statement that needs them as a condition (`private_accounts` takes codes already read)."""
    return CustomerAccount.objects.filter(
        _one_of_codes(identity_id, "holder_country", "holder_personal_code"), kind=Segment.PRIVATE
    )


_PRIVATE_ACCOUNTS = Prepared(
    CustomerAccount, lambda identity_id: private_accounts_of(identity_id).values_list("pk"), identity_id=MARK_UUID
)
# A mandate's columns a context is made of, in the order `_contexts_of_mandates` reads them.
_MANDATE_COLUMNS = ("pk", "scope", "company_id", "company__name", "company__registration_number")
_PERSON_MANDATES = Prepared(
    Mandate,
    lambda identity_id, day: (
        Mandate.objects.in_force(day)
        .filter(_one_of_codes(identity_id, "attorney_country", "attorney_code"))
        .order_by("company__name", "pk")
        .values_list(*_MANDATE_COLUMNS)
    ),
    identity_id=MARK_UUID,
    day=MARK_DAY,
)
_COMPANY_MANDATES = Prepared(
    Mandate,
    lambda identity_id, day, company_id: (
        Mandate.objects.in_force(day)
        .filter(_one_of_codes(identity_id, "attorney_country", "attorney_code"), company_id=company_id)
        .order_by("company__name", "pk")
        .values_list(*_MANDATE_COLUMNS)
    ),
    identity_id=MARK_UUID,
    day=MARK_DAY,
    company_id=MARK_ID,
)


# Read by every dashboard (the representatives' matching) and wherever a person's codes are needed: compiled once.
_CODES = Prepared(
    NationalIdentifier,
    lambda identity_id: NationalIdentifier.objects.filter(identity_id=identity_id).values_list("country", "code"),
    identity_id=MARK_UUID,
)


def _company_context(identity_id: uuid.UUID, day: datetime.date, company_id: int) -> list[Context]:
    """The company's context if the person has a mandate in force for it (the attorney one of the person's codes,
    read in the statement): what `resolve_context` asks on every page of a company context."""
    return _contexts_of_mandates(_COMPANY_MANDATES.rows(identity_id=identity_id, day=day, company_id=company_id))


def _contexts_of_mandates(mandates: list[tuple[Any, ...]]) -> list[Context]:
    """The contexts of mandates in force (rows of `_MANDATE_COLUMNS`, by company name), one per company."""
    selected: dict[int, set[int]] = {}
    narrow = [pk for pk, scope, *_company in mandates if scope == MandateScope.SELECTED]
    if narrow:
        for mandate_id, connection_id in Mandate.connections.through.objects.filter(mandate_id__in=narrow).values_list(
            "mandate_id", "connection_id"
        ):
            selected.setdefault(mandate_id, set()).add(connection_id)
    contexts: dict[int, Context] = {}
    for pk, scope, company_id, name, registration_number in mandates:
        previous = contexts.get(company_id)
        ids: tuple[int, ...] | None
        if scope == MandateScope.ALL or (previous is not None and previous.selected_ids is None):
            ids = None
        else:
            earlier = set(previous.selected_ids or ()) if previous is not None else set()
            ids = tuple(sorted(earlier | selected.get(pk, set())))
        contexts[company_id] = Context(ContextKind.COMPANY, company_id, name, registration_number, selected_ids=ids)
    return list(contexts.values())


def _work_contexts(identity: DigitalIdentity, company_id: int | None = None) -> list[Context]:
    """One context per company whose number the person has bound (only `company_id`'s when given)."""
    if company_id is None:
        rows = _WORK_COMPANIES.rows(identity_id=identity.pk)
    else:
        rows = _WORK_COMPANY.rows(identity_id=identity.pk, company_id=company_id)
    companies: dict[int, tuple[str, str]] = {}
    for company_id_, name, registration_number in rows:
        if company_id_ is not None:
            companies.setdefault(company_id_, (name, registration_number))
    return [Context(ContextKind.WORK, pk, name, number) for pk, (name, number) in companies.items()]


def _work_rows(identity_id: uuid.UUID, company_id: int | None = None) -> QuerySet[Any]:
    """The companies of the numbers the person has bound (active bindings of connections not terminated), by name."""
    active = ConnectionBinding.objects.filter(identity_id=identity_id, status=BindingStatus.ACTIVE)
    if company_id is not None:
        active = active.filter(connection__account__company_id=company_id)
    # The companies' columns only (was every column of four tables, each hashed by the compiler for the ORDER BY).
    return (
        active.exclude(connection__status=ConnectionStatus.TERMINATED)
        .order_by("connection__account__company__name")
        .values_list(
            "connection__account__company_id",
            "connection__account__company__name",
            "connection__account__company__registration_number",
        )
    )


_WORK_COMPANIES = Prepared(ConnectionBinding, _work_rows, identity_id=MARK_UUID)
_WORK_COMPANY = Prepared(
    ConnectionBinding,
    _work_rows,
    identity_id=MARK_UUID,
    company_id=MARK_ID,
)


def _representative_contexts(identity: DigitalIdentity, codes: list[tuple[str, str]]) -> list[Context]:
    """One context per company the person may represent (selfcare.mandates.representatives says how a person is
    matched to the register's masked codes)."""
    latvian = [code for country, code in codes if country == "LV"]
    companies = companies_represented(latvian, f"{identity.given_name} {identity.family_name}")
    return [Context(ContextKind.REPRESENTATIVE, c.pk, c.name, c.registration_number) for c in companies]


def contexts_of(identity: DigitalIdentity, *, on: datetime.date | None = None) -> list[Context]:
    """Every context the person can act in today: private first, then companies by name, then work numbers, then
    the companies they represent.

    Read fresh on every request: a revoked mandate or an ended binding is gone at the next request.
    """
    day = on or timezone.localdate()
    contexts: list[Context] = []
    # The private accounts and the mandates match the person's codes inside their statements (as resolve_context's
    # do), each compiled once; the codes are read on their own for the representatives' matching in Python.
    accounts = [pk for (pk,) in _PRIVATE_ACCOUNTS.rows(identity_id=identity.pk)]
    if accounts:
        contexts.append(Context(ContextKind.PRIVATE, account_ids=tuple(accounts)))
    contexts.extend(_contexts_of_mandates(_PERSON_MANDATES.rows(identity_id=identity.pk, day=day)))
    contexts.extend(_work_contexts(identity))
    contexts.extend(_representative_contexts(identity, person_codes(identity)))
    return contexts


# How long after rights end the person is told so, instead of the plain "not found".
RECENTLY_ENDED = datetime.timedelta(days=90)


@dataclass(frozen=True, slots=True)
class EndedContext:
    """A context the person had and lost lately: which company, which kind, on which day it ended."""

    kind: ContextKind
    company_name: str
    ended_on: datetime.date


def recently_ended(identity: DigitalIdentity, key: str, *, on: datetime.date | None = None) -> EndedContext | None:
    """The context `key` if this person held it within `RECENTLY_ENDED` and holds it no more; None otherwise.

    Only the person's own powers of attorney (by their personal codes) and own number bindings are read, so the
    answer tells nobody else anything: for another person the same key is as unknown as a key that never existed.
    A representative's context follows the register, which keeps no end dates: it is never reported here.
    Call it only after `resolve_context` refused the key.
    """
    match = _KEY.match(key)
    if match is None or match.group(1):
        return None
    kind, company_id = ContextKind(match.group(2)), int(match.group(3))
    today = on or timezone.localdate()
    since = today - RECENTLY_ENDED
    if kind == ContextKind.COMPANY:
        return _ended_mandate(person_codes(identity), company_id, today, since)
    if kind == ContextKind.WORK:
        return _ended_binding(identity, company_id, since)
    return None


def _ended_mandate(
    codes: list[tuple[str, str]], company_id: int, today: datetime.date, since: datetime.date
) -> EndedContext | None:
    ended: list[tuple[datetime.date, str]] = []
    mandates = Mandate.objects.of_codes(codes).filter(
        company_id=company_id, status__in=(MandateStatus.ACTIVE, MandateStatus.EXPIRED, MandateStatus.REVOKED)
    )
    for mandate in mandates.select_related("company"):
        if mandate.status == MandateStatus.REVOKED:
            # Rights end on the day of the revocation, today included (or earlier, had the term ended first).
            day = min(timezone.localdate(mandate.status_changed_at), mandate.valid_until)
            ended_by_then = day <= today
        else:
            # The last day of the term is still a day with rights: they are over only from the next.
            day = mandate.valid_until
            ended_by_then = day < today
        if ended_by_then and since <= day and mandate.valid_from <= day:
            ended.append((day, mandate.company.name))
    if not ended:
        return None
    last_day, name = max(ended)
    return EndedContext(ContextKind.COMPANY, name, last_day)


def _ended_binding(identity: DigitalIdentity, company_id: int, since: datetime.date) -> EndedContext | None:
    binding = (
        ConnectionBinding.objects.filter(
            identity=identity,
            status=BindingStatus.ENDED,
            connection__account__company_id=company_id,
            ended_at__date__gte=since,
        )
        .select_related("connection__account__company")
        .order_by("-ended_at")
        .first()
    )
    if binding is None or binding.ended_at is None or binding.connection.account.company is None:
        return None
    return EndedContext(ContextKind.WORK, binding.connection.account.company.name, timezone.localdate(binding.ended_at))


def resolve_context(identity: DigitalIdentity, key: str) -> Context:
    """The context named by a URL key, if the person has it today; NotFound otherwise.

    Only that context is derived, by the same rules as `contexts_of` (one or two statements instead of every
    context's five or more; the person's codes are read inside the private accounts' or the mandates' statement):
    every page and API call in a context asks this first.
    """
    match = _KEY.match(key)
    if not match:
        raise NotFound(key)
    found: list[Context]
    if match.group(1):
        accounts = [pk for (pk,) in _PRIVATE_ACCOUNTS.rows(identity_id=identity.pk)]
        found = [Context(ContextKind.PRIVATE, account_ids=tuple(accounts))] if accounts else []
    else:
        kind, company_id = ContextKind(match.group(2)), int(match.group(3))
        if kind == ContextKind.COMPANY:
            found = _company_context(identity.pk, timezone.localdate(), company_id)
        elif kind == ContextKind.WORK:
            found = _work_contexts(identity, company_id)
        else:
            found = _representative_contexts(identity, person_codes(identity))
    for context in found:
        if context.key == key:
            return context
    raise NotFound(key)
