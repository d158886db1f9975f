"""The pages a person lands on after login: all their connections grouped by context, a context's connection list
(search, filters, pages) and a connection seen within a context. Access decides everything (selfcare.access)."""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import capfirst
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_POST, require_safe

from selfcare.access.contexts import Action, Context, ContextKind, NotFound, contexts_of
from selfcare.access.overview import Group, overview
from selfcare.access.policy import connections_in, may, require_connection
from selfcare.access.web import context_page, identity_page
from selfcare.audit.services import record
from selfcare.binding.selectors import active_binding, bound_users
from selfcare.binding.services import binding_end
from selfcare.customers.models import Connection, ConnectionStatus, Segment, TariffPlan
from selfcare.customers.selectors import SEARCH_MAX_LENGTH, search_connections
from selfcare.mandates.signing import awaiting_signature
from selfcare.offers.selectors import offers_for_connection, teaser_counts
from selfcare.orders.selectors import services_shown
from selfcare.portal.links import connection_links, context_links
from selfcare.portal.offers import new_idempotency_key
from selfcare.portal.usage import (
    ContextSummary,
    attach_data_left,
    context_summaries,
    kept_company_figures,
    usage_context,
)
from selfcare.portal.work_number import SESSION_STEP_OFFERED, first_login_step
from selfcare.spend.barring import barring_in_force
from selfcare.usage.selectors import near_limit

PAGE_SIZE = 50
NEAR_LIMIT = "near"  # the connection list's "data use" filter: the numbers the dashboard counts as near their limit


def attach_bound_users(acting: Context, connections: list[Connection]) -> None:
    """Set `bound_user` on each row a main user sees: who bound the number (MANAGE_BINDINGS shows them anyway)."""
    if not connections or not may(acting, Action.MANAGE_BINDINGS):
        return
    names = bound_users(connections)
    for connection in connections:
        connection.bound_user = names.get(connection.pk, "")  # type: ignore[attr-defined]


# The pages a dashboard group links to, by the name its template uses.
GROUP_PAGES = {
    "connections": "portal:connections",
    "offers": "portal:offers",
    "company_security": "portal:company-security",
    "mandates": "portal:mandates",
    "bills": "portal:bills",
    "costs": "portal:costs",
}


@dataclass(frozen=True, slots=True)
class GroupShown:
    """A group of the dashboard with what its section shows, worked out here: the template looked each up by the
    context's key, with a filter and a `with` each, a dozen lookups per group (docs/performance.md)."""

    group: Group
    key: str
    links: dict[str, str]  # the context's pages (GROUP_PAGES' names → URL)
    summary: ContextSummary | None  # when the group is summarised
    offer_count: int
    bills: bool  # the context may see its bills
    costs: bool  # … and its costs

    @property
    def company_wide(self) -> bool:
        """A company context that covers every connection of the company (not only some numbers)."""
        return self.group.context.kind == ContextKind.COMPANY and self.group.context.selected_ids is None


@require_safe
@identity_page
def dashboard(request: HttpRequest) -> HttpResponse:
    contexts = contexts_of(request.identity)  # type: ignore[attr-defined]
    if not request.session.get(SESSION_STEP_OFFERED):
        step = first_login_step(request, has_context=bool(contexts))
        if step is not None:
            return step
    kept = kept_company_figures(contexts)
    counts = {key: figures.connections for key, figures in kept.items()}
    groups = overview(request.identity, contexts, counts=counts)  # type: ignore[attr-defined]
    summaries: dict[str, ContextSummary] = context_summaries(
        request.identity,  # type: ignore[attr-defined]
        [g.context for g in groups if g.summarised],
        kept,
    )
    for group in groups:
        if not group.summarised:
            attach_data_left(group.context, group.connections)
            attach_bound_users(group.context, group.connections)
            connection_links(group.context.key, group.connections)
    links = context_links(GROUP_PAGES, (g.context.key for g in groups))
    offer_counts = teaser_counts(g.context for g in groups)
    context: dict[str, object] = {
        "groups": groups,
        "summaries": summaries,
        "sections": [
            GroupShown(
                group,
                group.context.key,
                links[group.context.key],
                summaries.get(group.context.key),
                offer_counts.get(group.context.key, 0),
                bills=may(group.context, Action.VIEW_BILLS),
                costs=may(group.context, Action.VIEW_SPEND),
            )
            for group in groups
        ],
        "near_limit": NEAR_LIMIT,
        "awaiting_signature": [
            (mandate, Context(ContextKind.REPRESENTATIVE, mandate.company_id, "", "").key)
            for mandate in awaiting_signature(
                request.identity,  # type: ignore[attr-defined]
                [c.company_id for c in contexts if c.kind == ContextKind.REPRESENTATIVE and c.company_id is not None],
            )
        ],
    }
    if not groups:
        context["plans"] = TariffPlan.objects.filter(is_active=True, segment=Segment.PRIVATE)
    return render(request, "portal/dashboard/dashboard.html", context)


@require_safe
@context_page
def connection_list(request: HttpRequest) -> HttpResponse:
    acting = request.acting  # type: ignore[attr-defined]
    if not may(acting, Action.VIEW_CONNECTION):
        raise Http404
    connections = connections_in(request.identity, acting).select_related("tariff_plan")  # type: ignore[attr-defined]
    query = request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    connections = search_connections(connections, query)
    status = request.GET.get("status", "")
    if status in ConnectionStatus.values:
        connections = connections.filter(status=status)
    plan = request.GET.get("plan", "")
    if plan.isdigit():
        connections = connections.filter(tariff_plan_id=int(plan))
    data_use = request.GET.get("data", "")
    if data_use == NEAR_LIMIT:
        connections = near_limit(connections)
    page = Paginator(connections.order_by("msisdn"), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    attach_data_left(acting, page.object_list)
    attach_bound_users(acting, page.object_list)
    connection_links(acting.key, page.object_list)
    plans = TariffPlan.objects.filter(pk__in=connections_in(request.identity, acting).values("tariff_plan_id"))  # type: ignore[attr-defined]
    return render(
        request,
        "portal/dashboard/connection_list.html",
        {
            "page": page,
            "query": query,
            "status": status,
            "plan": plan,
            "data_use": data_use,
            "near_limit": NEAR_LIMIT,
            "statuses": [(v, label) for v, label in ConnectionStatus.choices if v != ConnectionStatus.TERMINATED],
            "plans": plans,
        },
    )


@require_safe
@context_page
def connection_detail(request: HttpRequest, connection_id: int) -> HttpResponse:
    acting = request.acting  # type: ignore[attr-defined]
    connection = require_connection(request.identity, acting, Action.VIEW_CONNECTION, connection_id)  # type: ignore[attr-defined]
    record(request, "portal:connection:view", identity=request.identity, context=acting, target=connection)  # type: ignore[attr-defined]
    binding = None
    if may(acting, Action.MANAGE_BINDINGS) or acting.kind == ContextKind.WORK:
        binding = active_binding(connection)
    itemised = _itemised_links(acting, connection) if may(acting, Action.VIEW_BILLS) else []
    return render(
        request,
        "portal/dashboard/connection_detail.html",
        {
            "connection": connection,
            "company_view": acting.kind == ContextKind.COMPANY,
            "binding": binding,
            "usage": usage_context(acting, connection),
            "offers": offers_for_connection(identity_id=request.identity.pk, context=acting, connection=connection),  # type: ignore[attr-defined]
            "new_key": new_idempotency_key,
            "may_order": may(acting, Action.VIEW_ORDERS),
            "service_names": services_shown(connection),
            "itemised_months": itemised,
            "itemised_list": itemised_list(itemised),
            "may_cap": may(acting, Action.MANAGE_SPEND_CAP),
            # Whoever sees the connection (its user too) sees why chargeable services are barred.
            "cap_barring": barring_in_force(connection),
        },
    )


def _recent_months(count: int = 6) -> list[datetime.date]:
    """The first day of this month and of the months before it, newest first: the itemised exports offered."""
    first = timezone.localdate().replace(day=1)
    months = [first]
    while len(months) < count:
        months.append((months[-1] - datetime.timedelta(days=1)).replace(day=1))
    return months


def _itemised_links(acting: Context, connection: Connection) -> list[tuple[datetime.date, str, str, str]]:
    """Each recent month with its name and the links to its itemised usage as CSV and XLSX. The two files' URLs are
    reversed once (was twelve `{% url %}`s a page) and each month put in the last part, `usage-<year>-<month>.<kind>`,
    as reverse writes it (a test compares them)."""
    months = _recent_months()
    kwargs = {"context": acting.key, "connection_id": connection.pk, "year": months[0].year, "month": months[0].month}
    links = []
    folders = {kind: reverse(f"portal:usage-{kind}", kwargs=kwargs).rpartition("/")[0] for kind in ("csv", "xlsx")}
    language = get_language()
    for month in months:
        name = f"usage-{month.year}-{month.month}"
        links.append(
            (month, month_name(month, language), f"{folders['csv']}/{name}.csv", f"{folders['xlsx']}/{name}.xlsx")
        )
    return links


def itemised_list(links: list[tuple[datetime.date, str, str, str]]) -> SafeString:
    """The itemised months' list items, written here as the page's template wrote them per month (each value escaped
    as `{{ }}` escapes it): three variables a month were a twentieth of the page's template (docs/performance.md)."""
    return mark_safe(  # noqa: S308 - every value is escaped
        "".join(
            f'<li>{escape(name)}: <a href="{escape(csv)}" download>CSV</a>, '
            f'<a href="{escape(xlsx)}" download>XLSX</a></li>'
            for _month, name, csv, xlsx in links
        )
    )


@functools.lru_cache(maxsize=256)
def month_name(month: datetime.date, language: str | None) -> str:
    """What `{{ month|date:"F Y"|capfirst }}` wrote ("December 2026"), with the same filters, kept per month: six
    of them a page were a twentieth of its template (docs/performance.md). `language` is only part of the key: the
    month's name is translated into the active language, which the caller passes. Escaped by the template."""
    return str(capfirst(date_filter(month, "F Y")))


@require_POST
@context_page
def binding_end_view(request: HttpRequest, connection_id: int) -> HttpResponse:
    """End the binding of this connection: a main user for the company's connections, an employee for their own."""
    acting = request.acting  # type: ignore[attr-defined]
    identity = request.identity  # type: ignore[attr-defined]
    connection = require_connection(identity, acting, Action.VIEW_CONNECTION, connection_id)
    binding = active_binding(connection)
    if binding is None:
        raise NotFound(connection_id)
    binding_end(request=request, identity=identity, context=acting, binding=binding)
    if acting.kind == ContextKind.WORK:
        return redirect("portal:dashboard")
    return redirect("portal:connection", context=acting.key, connection_id=connection.pk)
