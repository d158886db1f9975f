"""A company's powers of attorney, read-only, for its main users and its representatives: status, validity, scope
and history. The same reads as the mandate pages: `mandates_in` / `require_mandate` with VIEW_MANDATES.

Starting or revoking a power of attorney stays in the portal: both take a confirmation with eID there, which a
bearer token cannot give.
"""

from __future__ import annotations

import datetime

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from selfcare.access.contexts import Action, NotFound
from selfcare.access.policy import mandates_in, may, require_mandate
from selfcare.channels.api import auth
from selfcare.channels.api.errors import REFUSALS, not_found
from selfcare.channels.api.v1.contexts import PREFIX, acting_context
from selfcare.mandates.models import Mandate

router = Router(tags=["powers of attorney"])

READ_ONLY = (
    "Read only: starting or revoking a power of attorney needs a confirmation with eID, which the portal asks for "
    "(Mans Tele2 → the company → Powers of attorney)."
)


class ValidForOut(Schema):
    startDate: datetime.date
    endDate: datetime.date


class MandateOut(Schema):
    id: str
    href: str
    attorneyName: str
    status: str  # draft, submitted, active, expired, revoked, rejected
    statusChangedAt: datetime.datetime
    statusReason: str
    rights: str  # main_user
    scope: str  # all, selected
    validFor: ValidForOut
    verified: bool
    createdAt: datetime.datetime


class EventOut(Schema):
    occurredAt: datetime.datetime
    action: str
    fromStatus: str
    toStatus: str
    actor: str  # person, staff, system
    reason: str


class MandateDetailOut(MandateOut):
    connections: list[str]  # ids of the selected connections (scope "selected"); empty for all
    history: list[EventOut]


class MandatePage(Schema):
    offset: int = Field(0, ge=0, le=1_000_000)
    limit: int = Field(20, ge=1, le=100)


def _values(context_key: str, mandate: Mandate) -> dict[str, object]:
    return {
        "id": str(mandate.pk),
        "href": f"{PREFIX}/{context_key}/mandates/{mandate.pk}",
        "attorneyName": mandate.attorney_name,
        "status": mandate.status,
        "statusChangedAt": mandate.status_changed_at,
        "statusReason": mandate.status_reason,
        "rights": mandate.rights,
        "scope": mandate.scope,
        "validFor": ValidForOut(startDate=mandate.valid_from, endDate=mandate.valid_until),
        "verified": mandate.verified,
        "createdAt": mandate.created_at,
    }


@router.get(
    "/{context}/mandates",
    response={200: list[MandateOut], **REFUSALS},
    auth=auth.MANDATES,
    summary="The company's powers of attorney, newest first; X-Total-Count holds their number",
    description=READ_ONLY,
)
def list_mandates(
    request: HttpRequest, response: HttpResponse, context: str, page: Query[MandatePage]
) -> list[MandateOut]:
    acting = acting_context(request, context)
    if not may(acting, Action.VIEW_MANDATES):
        raise not_found()
    found = mandates_in(acting).order_by("-created_at", "-pk")
    response["X-Total-Count"] = str(found.count())
    return [MandateOut(**_values(acting.key, m)) for m in found[page.offset : page.offset + page.limit]]  # type: ignore[arg-type]


@router.get(
    "/{context}/mandates/{mandate_id}",
    response={200: MandateDetailOut, **REFUSALS},
    auth=auth.MANDATES,
    summary="One power of attorney with its history",
    description=READ_ONLY,
)
def get_mandate(request: HttpRequest, context: str, mandate_id: int) -> MandateDetailOut:
    acting = acting_context(request, context)
    try:
        mandate = require_mandate(acting, Action.VIEW_MANDATES, mandate_id)
    except NotFound:
        raise not_found() from None
    return MandateDetailOut(
        **_values(acting.key, mandate),  # type: ignore[arg-type]
        connections=[str(pk) for pk in mandate.connections.values_list("pk", flat=True)],
        history=[
            EventOut(
                occurredAt=e.occurred_at,
                action=e.action,
                fromStatus=e.from_status,
                toStatus=e.to_status,
                actor=e.actor,
                reason=e.reason,
            )
            for e in mandate.events.all()
        ],
    )
