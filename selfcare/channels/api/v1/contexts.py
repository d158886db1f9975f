"""The person's contexts, the connections each covers (paged, searchable) and one connection's details.

Reads go through selfcare.access exactly as the pages do: `contexts_of`/`resolve_context` for the context,
`connections_in` for the list and `require_connection` for one connection. Not yours and not there are the same
404.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import Query, Router, Schema
from pydantic import Field

from selfcare.access.contexts import Action, Context, NotFound, contexts_of, recently_ended, resolve_context
from selfcare.access.policy import RIGHTS, connections_in, may, require_connection
from selfcare.channels.api import auth
from selfcare.channels.api.errors import REFUSALS, ApiError, not_found
from selfcare.channels.api.rendering import json_response
from selfcare.channels.oidc.claims import ROLES
from selfcare.customers.models import Connection
from selfcare.customers.selectors import SEARCH_MAX_LENGTH, search_connections
from selfcare.errors import ErrorCode
from selfcare.formats.dates import on_date

router = Router(tags=["contexts"])
PREFIX = "/api/v1/contexts"


class OrganizationOut(Schema):
    id: str
    name: str
    registrationNumber: str


class ContextOut(Schema):
    id: str  # "private", "company-12", "work-12"
    href: str
    kind: str  # private, company (main user), work (employee), representative (board member)
    role: str  # TMF691: owner, mainUser, user, legalRepresentative
    organization: OrganizationOut | None
    rights: list[str]


class TariffPlanOut(Schema):
    id: str
    name: str


class ConnectionOut(Schema):
    id: str
    href: str
    msisdn: str
    label: str
    status: str
    role: str
    tariffPlan: TariffPlanOut


class TariffPlanDetailOut(TariffPlanOut):
    monthlyFee: str  # EUR excl. VAT, a decimal string
    dataBytes: int | None  # None: unlimited
    euDataBytes: int
    voiceMinutes: int | None
    sms: int | None


class ConnectionDetailOut(ConnectionOut):
    activatedOn: str
    context: str
    organization: OrganizationOut | None
    tariffPlan: TariffPlanDetailOut


class Page(Schema):
    offset: int = Field(0, ge=0, le=1_000_000)
    limit: int = Field(20, ge=1, le=100)
    q: str = Field("", max_length=SEARCH_MAX_LENGTH, description="part of the number or of the label")


def context_out(context: Context) -> ContextOut:
    organization = None
    if context.company_id is not None:
        organization = OrganizationOut(
            id=str(context.company_id), name=context.company_name, registrationNumber=context.registration_number
        )
    return ContextOut(
        id=context.key,
        href=f"{PREFIX}/{context.key}",
        kind=context.kind.value,
        role=ROLES[context.kind],
        organization=organization,
        rights=sorted(action.value for action in RIGHTS.get(context.kind, frozenset())),
    )


def _connection_values(context: Context, connection: Connection) -> dict[str, object]:
    return {
        "id": str(connection.pk),
        "href": f"{PREFIX}/{context.key}/connections/{connection.pk}",
        "msisdn": connection.msisdn,
        "label": connection.user_label,
        "status": connection.status,
        "role": ROLES[context.kind],
    }


def acting_context(request: HttpRequest, context: str) -> Context:
    """The context the token's person acts in, by its key; 404 when it is not theirs (the same as not there), but
    `rights_ended` with the company and the day for the person whose own rights to it ended lately."""
    try:
        return resolve_context(request.identity, context)  # type: ignore[attr-defined]
    except NotFound:
        ended = recently_ended(request.identity, context)  # type: ignore[attr-defined]
        if ended is None:
            raise not_found() from None
        text = gettext("Your rights for %(company)s ended on %(day)s.") % {
            "company": ended.company_name,
            "day": on_date(ended.ended_on),
        }
        raise ApiError(404, ErrorCode.RIGHTS_ENDED, text=text) from None


@router.get("", response={200: list[ContextOut], **REFUSALS}, auth=auth.PROFILE, summary="The person's contexts")
def list_contexts(request: HttpRequest) -> list[ContextOut]:
    return [context_out(c) for c in contexts_of(request.identity)]  # type: ignore[attr-defined]


@router.get("/{context}", response={200: ContextOut, **REFUSALS}, auth=auth.PROFILE, summary="One context")
def get_context(request: HttpRequest, context: str) -> ContextOut:
    return context_out(acting_context(request, context))


@router.get(
    "/{context}/connections",
    response={200: list[ConnectionOut], **REFUSALS},
    auth=auth.CONNECTIONS,
    summary="The connections a context covers, by number; X-Total-Count holds the number of matches",
)
def list_connections(request: HttpRequest, context: str, page: Query[Page]) -> HttpResponse:
    acting = acting_context(request, context)
    if not may(acting, Action.VIEW_CONNECTION):
        raise not_found()
    found = search_connections(connections_in(request.identity, acting), page.q)  # type: ignore[attr-defined]
    total = found.count()
    rows = list(found.select_related("tariff_plan").order_by("msisdn")[page.offset : page.offset + page.limit])
    # Plain dicts in ConnectionOut's field order (selfcare.channels.api.rendering): a page of twenty was twenty
    # models built, then validated again as the response.
    response = json_response(
        request,
        [
            _connection_values(acting, c) | {"tariffPlan": {"id": c.tariff_plan.code, "name": c.tariff_plan.name}}
            for c in rows
        ],
    )
    response["X-Total-Count"] = str(total)
    response["X-Result-Count"] = str(len(rows))
    return response


@router.get(
    "/{context}/connections/{connection_id}",
    response={200: ConnectionDetailOut, **REFUSALS},
    auth=auth.CONNECTIONS,
    summary="One connection's details",
)
def get_connection(request: HttpRequest, context: str, connection_id: int) -> ConnectionDetailOut:
    acting = acting_context(request, context)
    try:
        connection = require_connection(request.identity, acting, Action.VIEW_CONNECTION, connection_id)  # type: ignore[attr-defined]
    except NotFound:
        raise not_found() from None
    plan = connection.tariff_plan
    return ConnectionDetailOut(
        **_connection_values(acting, connection),  # type: ignore[arg-type]
        activatedOn=connection.activated_on.isoformat(),
        context=acting.key,
        organization=context_out(acting).organization,
        tariffPlan=TariffPlanDetailOut(
            id=plan.code,
            name=plan.name,
            monthlyFee=str(plan.monthly_fee),
            dataBytes=plan.data_bytes,
            euDataBytes=plan.eu_data_bytes,
            voiceMinutes=plan.voice_minutes,
            sms=plan.sms,
        ),
    )
