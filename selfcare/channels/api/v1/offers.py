"""Tele2 Komplimenti from the app: a connection's offers with whether each can be claimed (and why not), claiming
one, and the person's own claims with their results (partner codes shown again).

The same reads and the same service as the offer pages: `offers_for_connection` after
`require_connection(…, VIEW_CONNECTION, …)` and `claim_offer`, which checks CLAIM_OFFER itself in the claim's
transaction. A claim is idempotent on its key (the `Idempotency-Key` header or `idempotencyKey` in the body):
the same key again answers 200 with the first claim instead of 201.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from selfcare.access.contexts import Action, NotFound
from selfcare.access.policy import require_connection
from selfcare.channels.api import auth
from selfcare.channels.api.errors import REFUSALS, ApiError, Errors, item, not_found
from selfcare.channels.api.v1.contexts import acting_context
from selfcare.errors import ErrorCode, message
from selfcare.offers.eligibility import MESSAGES as REASON_MESSAGES
from selfcare.offers.eligibility import Eligibility
from selfcare.offers.models import Offer, OfferClaim
from selfcare.offers.selectors import offers_for_connection
from selfcare.offers.services import IDEMPOTENCY_KEY_MAX, ClaimRefused, claim_offer

router = Router(tags=["offers"])
claims_router = Router(tags=["offers"])


class ReasonOut(Schema):
    code: str  # e.g. already_claimed, tenure, employer_off
    message: str


class ClaimOut(Schema):
    id: str
    href: str
    offer: str  # the offer's id
    offerTitle: str
    connection: str  # the connection's id
    msisdn: str
    context: str
    state: str  # claimed, fulfilled, cancelled
    claimedAt: datetime.datetime
    fulfilledAt: datetime.datetime | None
    dataBytes: int | None  # a data gift: how much was added
    validUntil: datetime.datetime | None  # a data gift: until when
    partnerCode: str | None  # a partner offer: the code, shown again whenever asked


class OfferOut(Schema):
    id: str
    slug: str
    kind: str  # data_gift, partner, free_month, info (OfferKind)
    title: str
    description: str
    partner: str
    link: str
    dataBytes: int | None
    validFor: dict[str, datetime.datetime]
    claimable: bool
    reasons: list[ReasonOut]
    claim: ClaimOut | None  # the person's own claim that counts against the limit


class ClaimIn(Schema):
    offer: int = Field(..., ge=1, le=2**31 - 1, description="the offer's id")
    idempotencyKey: str = Field("", max_length=IDEMPOTENCY_KEY_MAX, description="instead of the Idempotency-Key header")


def claim_out(claim: OfferClaim) -> ClaimOut:
    code = getattr(claim, "partner_code", None)
    return ClaimOut(
        id=str(claim.pk),
        href=f"/api/v1/offer-claims/{claim.pk}",
        offer=str(claim.offer_id),
        offerTitle=claim.offer.title,
        connection=str(claim.connection_id),
        msisdn=claim.connection.msisdn,
        context=claim.context,
        state=claim.state,
        claimedAt=claim.claimed_at,
        fulfilledAt=claim.fulfilled_at,
        dataBytes=claim.data_bytes,
        validUntil=claim.valid_until,
        partnerCode=code.code if code is not None else None,
    )


def _offer_out(answer: Eligibility) -> OfferOut:
    offer: Offer = answer.offer
    return OfferOut(
        id=str(offer.pk),
        slug=offer.slug,
        kind=offer.kind,
        title=offer.title,
        description=offer.description,
        partner=offer.partner,
        link=offer.link,
        dataBytes=offer.data_bytes,
        validFor={"startDateTime": offer.valid_from, "endDateTime": offer.valid_until},
        claimable=answer.claimable,
        reasons=[ReasonOut(code=r.value, message=m) for r, m in zip(answer.reasons, answer.messages(), strict=True)],
        claim=claim_out(answer.claim) if answer.claim is not None else None,
    )


@router.get(
    "/{context}/connections/{connection_id}/offers",
    response={200: list[OfferOut], **REFUSALS},
    auth=auth.OFFERS,
    summary="The offers shown for a connection, each claimable or with the reasons why not",
)
def list_offers(request: HttpRequest, context: str, connection_id: int) -> list[OfferOut]:
    acting = acting_context(request, context)
    identity = request.identity  # type: ignore[attr-defined]
    try:
        connection = require_connection(identity, acting, Action.VIEW_CONNECTION, connection_id)
    except NotFound:
        raise not_found() from None
    answers = offers_for_connection(identity_id=identity.pk, context=acting, connection=connection)
    return [_offer_out(answer) for answer in answers]


class ClaimRefusal(Exception):
    def __init__(self, refused: ClaimRefused) -> None:
        super().__init__(refused.code)
        self.refused = refused


def refusal_body(refused: ClaimRefused) -> dict[str, Any]:
    """The claim's refusal and each reason, in the API's error shape."""
    items = [item(refused.code, message(refused.code))]
    items += [item(reason.value, str(REASON_MESSAGES[reason])) for reason in refused.reasons]
    return {"errors": items}


@router.post(
    "/{context}/connections/{connection_id}/offer-claims",
    response={200: ClaimOut, 201: ClaimOut, 409: Errors, **REFUSALS},
    auth=auth.OFFERS,
    summary="Claim an offer on a connection (idempotent: send an Idempotency-Key header or idempotencyKey)",
    description=(
        "201 with the new claim; 200 with the first claim when the same key (or the person's claim already "
        "counting against the offer's limit) is there; 409 with the reasons when the offer cannot be claimed."
    ),
)
def claim(request: HttpRequest, context: str, connection_id: int, body: ClaimIn) -> Status[ClaimOut]:
    acting = acting_context(request, context)
    key = request.headers.get("Idempotency-Key", "") or body.idempotencyKey
    if not key.strip() or len(key) > IDEMPOTENCY_KEY_MAX:
        raise ApiError(422, ErrorCode.INVALID_INPUT, "idempotencyKey")
    try:
        result = claim_offer(
            request=request,
            identity=request.identity,  # type: ignore[attr-defined]
            context=acting,
            connection_id=connection_id,
            offer_id=body.offer,
            idempotency_key=key,
        )
    except NotFound:
        raise not_found() from None
    except ClaimRefused as refused:
        raise ClaimRefusal(refused) from None
    return Status(201 if result.created else 200, claim_out(result.claim))


def _claims_of(request: HttpRequest) -> Any:
    return OfferClaim.objects.filter(identity=request.identity).select_related(  # type: ignore[attr-defined]
        "offer", "connection", "partner_code"
    )


@claims_router.get("", response={200: list[ClaimOut], **REFUSALS}, auth=auth.OFFERS, summary="The person's claims")
def list_claims(request: HttpRequest) -> list[ClaimOut]:
    return [claim_out(c) for c in _claims_of(request).order_by("-claimed_at", "-pk")[:200]]


@claims_router.get(
    "/{claim_id}", response={200: ClaimOut, **REFUSALS}, auth=auth.OFFERS, summary="One of the person's claims"
)
def get_claim(request: HttpRequest, claim_id: int) -> ClaimOut:
    found = _claims_of(request).filter(pk=claim_id).first()
    if found is None:
        raise not_found()
    return claim_out(found)
