"""New connections from the app: the same steps as the portal's wizard (selfcare/portal/new_connection.py), through
the same access checks and services (selfcare.orders.new_connection), scope `orders`.

    GET  /v1/new-connections/catalogue?forWhom=private          the plans on sale to that customer
    POST /v1/new-connections                                 {"forWhom": "private" | "company-12", "plan": "privats-10"}
    POST /v1/new-connections/{id}/number                     {"choice": "new", "msisdn": one of offeredNumbers}
                                                             {"choice": "port", "number", "donor", "portingDate"}
    POST /v1/new-connections/{id}/number/confirmation        {"code": the code sent to a kept number}
    POST /v1/new-connections/{id}/sim                        {"kind": "esim"} | {"kind": "sim", "deliveryAddress": …}
    POST /v1/new-connections/{id}/signature                  start signing the contract with Smart-ID
    POST /v1/new-connections/{id}/signature/status           one step: the verification code, then the signed order
    GET  /v1/new-connections/{id}                            the order and where it stands (activationCode when ready)
    GET  /v1/new-connections/{id}/contract                   the signed contract (PDF)

The signing in progress is kept in the cache under the order (the API keeps no session).
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Literal

from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from ninja import Router, Schema, Status
from pydantic import Field

from selfcare.access.contexts import NotFound
from selfcare.access.policy import new_connection_context, require_new_connection
from selfcare.channels.api import auth
from selfcare.channels.api.errors import REFUSALS, ApiError, Errors, not_found
from selfcare.errors import ErrorCode
from selfcare.identity.messages import error_code_for
from selfcare.identity.methods.base import EidError
from selfcare.orders import new_connection as service
from selfcare.orders.models import NewConnectionOrder, NewConnectionState
from selfcare.orders.selectors import catalogue_plans
from selfcare.signing import flow
from selfcare.signing.pades import SigningFailed
from selfcare.storage import read

router = Router(tags=["new connections"])
_SIGNING = "new-connection-signing:"


class PlanOut(Schema):
    id: str
    name: str
    monthlyPrice: Decimal
    priceIncludesVat: bool
    termMonths: int


class NewConnectionOut(Schema):
    id: str
    href: str
    forWhom: str  # "private" or the company's context key
    state: str  # draft, stopped, acknowledged, inProgress, completed, failed, rejected
    reason: str  # in the language the app asked for (Accept-Language)
    reasonCode: str
    next: str  # the step still to do: plan, number, confirm, sim, sign; "" once sent
    plan: str
    monthlyPrice: Decimal | None
    priceIncludesVat: bool
    termMonths: int
    msisdn: str
    numberChoice: str  # new, port
    offeredNumbers: list[str]
    donorOperator: str
    portingDate: datetime.date | None
    sim: str  # sim, esim
    activationCode: str | None  # the eSIM's LPA string, once ready
    contract: str | None  # where the signed contract is downloaded
    flagged: bool  # customer service is looking into it


class StartIn(Schema):
    forWhom: str = Field("private", max_length=40)
    plan: str = Field(..., max_length=100)


class NumberIn(Schema):
    choice: Literal["new", "port"]
    msisdn: str = Field("", max_length=20)
    number: str = Field("", max_length=30)
    donor: str = Field("", max_length=40)
    portingDate: str = Field("", max_length=20)


class CodeIn(Schema):
    code: str = Field(..., max_length=20)


class DeliveryIn(Schema):
    recipient: str = Field("", max_length=100)
    street: str = Field("", max_length=200)
    city: str = Field("", max_length=100)
    postcode: str = Field("", max_length=20)


class SimIn(Schema):
    kind: Literal["sim", "esim"]
    deliveryAddress: DeliveryIn | None = None


class SigningOut(Schema):
    stage: str  # certificate (finding the signing certificate), signature (confirm in the app), done
    verificationCode: str
    order: NewConnectionOut | None = None


def _out(order: NewConnectionOrder) -> NewConnectionOut:
    href = f"/api/v1/new-connections/{order.pk}"
    return NewConnectionOut(
        id=str(order.pk),
        href=href,
        forWhom=order.context,
        state=order.state,
        reason=order.reason_shown,
        reasonCode=order.reason_code,
        next=(service.missing(order) or "sign") if order.state == NewConnectionState.DRAFT else "",
        plan=order.plan_code,
        monthlyPrice=order.monthly_price,
        priceIncludesVat=order.price_includes_vat,
        termMonths=order.term_months,
        msisdn=order.msisdn,
        numberChoice=order.number_choice,
        offeredNumbers=list(order.offered_numbers),
        donorOperator=order.donor_operator,
        portingDate=order.porting_date,
        sim=order.sim_kind,
        activationCode=order.activation_code or None,
        contract=f"{href}/contract" if order.contract_name else None,
        flagged=bool(order.flagged),
    )


def _order(request: HttpRequest, order_id: uuid.UUID) -> NewConnectionOrder:
    try:
        return require_new_connection(request.identity, order_id)  # type: ignore[attr-defined]
    except NotFound:
        raise not_found() from None


@router.get(
    "/catalogue", response={200: list[PlanOut], 503: Errors, **REFUSALS}, auth=auth.ORDERS, summary="Plans on sale"
)
def catalogue(request: HttpRequest, forWhom: str = "private") -> list[PlanOut]:
    try:
        context = new_connection_context(request.identity, forWhom)  # type: ignore[attr-defined]
    except NotFound:
        raise not_found() from None
    private = context.company_id is None
    plans = catalogue_plans("private" if private else "business")
    if plans is None:
        raise ApiError(503, ErrorCode.SERVICE_UNAVAILABLE)
    return [
        PlanOut(
            id=p.id,
            name=p.name,
            monthlyPrice=(p.price_with_vat or p.price) if private else p.price,
            priceIncludesVat=private and p.price_with_vat is not None,
            termMonths=p.includes.term_months if p.includes else 0,
        )
        for p in plans
    ]


@router.get("", response={200: list[NewConnectionOut], **REFUSALS}, auth=auth.ORDERS, summary="My new connections")
def list_new(request: HttpRequest) -> list[NewConnectionOut]:
    orders = NewConnectionOrder.objects.filter(ordered_by=request.identity)[:100]  # type: ignore[attr-defined]
    return [_out(order) for order in orders]


@router.post("", response={201: NewConnectionOut, **REFUSALS}, auth=auth.ORDERS, summary="Start a new connection")
def start(request: HttpRequest, body: StartIn) -> Status[NewConnectionOut]:
    identity = request.identity  # type: ignore[attr-defined]
    try:
        # One step for the app: a plan not on sale leaves no draft behind (it would count against the limits).
        with transaction.atomic():
            order = service.draft_start(request=request, identity=identity, context_key=body.forWhom)
            service.choose_plan(order=order, plan_id=body.plan)
    except NotFound:
        raise not_found() from None
    service.offer_numbers(order)
    return Status(201, _out(order))


@router.get("/{order_id}", response={200: NewConnectionOut, **REFUSALS}, auth=auth.ORDERS, summary="One")
def get_one(request: HttpRequest, order_id: uuid.UUID) -> NewConnectionOut:
    return _out(service.follow_up(_order(request, order_id)))


@router.post("/{order_id}/number", response={200: NewConnectionOut, **REFUSALS}, auth=auth.ORDERS, summary="Number")
def number(request: HttpRequest, order_id: uuid.UUID, body: NumberIn) -> NewConnectionOut:
    order = _order(request, order_id)
    if body.choice == "port":
        service.choose_port(
            request=request, order=order, number_text=body.number, donor=body.donor, date_text=body.portingDate
        )
    else:
        service.choose_new_number(order=order, msisdn=body.msisdn)
    return _out(order)


@router.post(
    "/{order_id}/number/confirmation", response={200: NewConnectionOut, **REFUSALS}, auth=auth.ORDERS, summary="Code"
)
def confirm(request: HttpRequest, order_id: uuid.UUID, body: CodeIn) -> NewConnectionOut:
    order = _order(request, order_id)
    service.confirm_port(order=order, code_text=body.code)
    return _out(order)


@router.post("/{order_id}/sim", response={200: NewConnectionOut, **REFUSALS}, auth=auth.ORDERS, summary="SIM")
def sim(request: HttpRequest, order_id: uuid.UUID, body: SimIn) -> NewConnectionOut:
    order = _order(request, order_id)
    values = body.deliveryAddress.dict() if body.deliveryAddress else {}
    service.choose_sim(order=order, kind=body.kind, values=values)
    return _out(order)


@router.post(
    "/{order_id}/signature", response={200: SigningOut, 409: Errors, **REFUSALS}, auth=auth.ORDERS, summary="Sign"
)
def sign(request: HttpRequest, order_id: uuid.UUID) -> SigningOut:
    order = _order(request, order_id)
    try:
        signing = service.signing_start(request=request, order=order, language=get_language() or "lv")
    except EidError as error:
        raise ApiError(409, error_code_for(error)) from None
    cache.set(_SIGNING + str(order.pk), signing.id, 600)
    return SigningOut(stage=signing.stage, verificationCode=signing.verification_code)


@router.post(
    "/{order_id}/signature/status",
    response={200: SigningOut, 409: Errors, **REFUSALS},
    auth=auth.ORDERS,
    summary="Signing step",
)
def sign_status(request: HttpRequest, order_id: uuid.UUID) -> SigningOut:
    order = _order(request, order_id)
    signing = flow.load(str(cache.get(_SIGNING + str(order.pk), "")))
    if signing is None:
        raise not_found()
    try:
        signed = flow.advance(signing, timeout_ms=1000)
    except EidError as error:
        cache.delete(_SIGNING + str(order.pk))
        raise ApiError(409, error_code_for(error)) from None
    except SigningFailed:
        cache.delete(_SIGNING + str(order.pk))
        raise ApiError(409, ErrorCode.INVALID_INPUT) from None
    if signed is None:
        return SigningOut(stage=signing.stage, verificationCode=signing.verification_code)
    cache.delete(_SIGNING + str(order.pk))
    sent = service.signing_complete(request=request, order=order, signed_pdf=signed)
    return SigningOut(stage="done", verificationCode="", order=_out(sent))


@router.get("/{order_id}/contract", auth=auth.ORDERS, response={200: None, **REFUSALS}, summary="Signed contract")
def contract(request: HttpRequest, order_id: uuid.UUID) -> HttpResponse:
    order = _order(request, order_id)
    if not order.contract_name:
        raise not_found()
    response = HttpResponse(read(order.contract_name), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="contract-{order.pk}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
