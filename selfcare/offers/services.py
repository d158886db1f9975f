"""Claiming an offer, and the company's choice about gifts. Every write is atomic and audited.

Claiming is safe against double clicks, two tabs and many servers because the database decides, not a check
before the write:
- one live claim per (offer, limit key) and one per (identity, idempotency key) are unique constraints;
- stock is taken with one conditional UPDATE (`stock_left = stock_left - 1 WHERE stock_left > 0`), which
  PostgreSQL re-evaluates after waiting on a concurrent taker's row lock, so it never goes below zero;
- a partner code is taken with `SELECT … FOR UPDATE SKIP LOCKED` (concurrent claimers each get a different free
  code without waiting on each other) and linked with a conditional UPDATE (`WHERE claim_id IS NULL`), which
  also keeps SQLite (no row locks) from giving one code twice.

A data gift is fulfilled **in the same transaction** as the claim: the bonus bucket is a row in our own
database (selfcare.usage), not a call to another system, so one transaction makes "claimed" and "granted"
happen together or not at all: no claim without its data, no stock taken for a failed grant, and nothing to
retry. `source_key` ("offer-claim:<id>") still makes the grant idempotent if fulfilment is ever retried. A free
month of a service has no system to switch it on here yet: it stays `claimed` until staff mark it fulfilled.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from selfcare.access.contexts import Action, Context, NotFound
from selfcare.access.policy import may, require_connection
from selfcare.audit.services import record
from selfcare.errors import ErrorCode
from selfcare.identity.models import DigitalIdentity
from selfcare.offers.eligibility import Eligibility, Reason, eligibility
from selfcare.offers.models import (
    ClaimState,
    CompanyOfferSetting,
    LimitScope,
    Offer,
    OfferClaim,
    OfferKind,
    OfferStatus,
    PartnerCode,
)
from selfcare.usage.models import Unit
from selfcare.usage.services import grant_bonus

IDEMPOTENCY_KEY_MAX = 64


class ClaimRefused(Exception):
    """The offer cannot be claimed; `reasons` say why (the page shows their messages)."""

    def __init__(self, code: ErrorCode, reasons: tuple[Reason, ...] = ()) -> None:
        super().__init__(code)
        self.code = code
        self.reasons = reasons


class _OutOfStock(Exception):
    """Raised inside the claim's transaction to roll it back when the last item went to someone else."""


@dataclass(frozen=True, slots=True)
class ClaimResult:
    claim: OfferClaim
    created: bool  # False: the same request again, or the claim that was already there


def claim_offer(
    *,
    request: HttpRequest,
    identity: DigitalIdentity,
    context: Context,
    connection_id: int,
    offer_id: int,
    idempotency_key: str,
) -> ClaimResult:
    """Claim the offer on the connection, as this person in this context.

    NotFound when the connection is not one the person may claim on in this context, or the offer does not
    exist or is not shown (the same answer for both: nothing to learn by guessing ids). ClaimRefused when the
    offer is there but not claimable (with the reasons). The same idempotency key again returns the first claim.
    """
    key = idempotency_key.strip()[:IDEMPOTENCY_KEY_MAX]
    if not key:
        raise ClaimRefused(ErrorCode.OFFER_NOT_CLAIMABLE)
    try:
        with transaction.atomic():
            return _claim(request, identity, context, connection_id, offer_id, key)
    except IntegrityError:
        # A concurrent request won the race for this limit or this key: answer with its claim if it is this
        # person's, otherwise (someone else claimed on this connection at the same moment) refuse.
        existing = _existing_claim(identity, offer_id, key)
        if existing is None:
            raise ClaimRefused(ErrorCode.OFFER_NOT_CLAIMABLE, (Reason.ALREADY_CLAIMED,)) from None
        return ClaimResult(existing, created=False)
    except _OutOfStock:
        raise ClaimRefused(ErrorCode.OFFER_OUT_OF_STOCK, (Reason.OUT_OF_STOCK,)) from None


def _claim(
    request: HttpRequest, identity: DigitalIdentity, context: Context, connection_id: int, offer_id: int, key: str
) -> ClaimResult:
    # The access check and the write it guards happen in one transaction (SECURITY.md, ASVS 15.4.2).
    connection = require_connection(identity, context, Action.CLAIM_OFFER, connection_id)
    replay = OfferClaim.objects.filter(identity=identity, idempotency_key=key).first()
    if replay is not None:
        if replay.offer_id != offer_id or replay.connection_id != connection.pk:
            raise ClaimRefused(ErrorCode.OFFER_NOT_CLAIMABLE)
        return ClaimResult(replay, created=False)
    offer = Offer.objects.filter(pk=offer_id).exclude(status__in=[OfferStatus.DRAFT, OfferStatus.RETIRED]).first()
    if offer is None:
        raise NotFound(offer_id)
    now = timezone.now()
    answer: Eligibility = eligibility(offer, context=context, connection=connection, identity_id=identity.pk, at=now)
    if answer.hidden:
        raise NotFound(offer_id)
    if answer.claim is not None:
        return ClaimResult(answer.claim, created=False)
    if not answer.claimable:
        code = ErrorCode.OFFER_OUT_OF_STOCK if Reason.OUT_OF_STOCK in answer.reasons else ErrorCode.OFFER_NOT_CLAIMABLE
        raise ClaimRefused(code, answer.reasons)

    limit_key = f"c{connection.pk}" if offer.limit == LimitScope.CONNECTION else f"p{identity.pk}"
    claim = OfferClaim.objects.create(
        offer=offer,
        identity=identity,
        connection=connection,
        context=context.key,
        company_id=context.company_id,
        idempotency_key=key,
        limit_key=limit_key,
        claimed_at=now,
    )
    if offer.stock_left is not None:
        taken = Offer.objects.filter(pk=offer.pk, stock_left__gt=0).update(stock_left=F("stock_left") - 1)
        if not taken:
            raise _OutOfStock
    _fulfil(claim, now)
    record(request, "offers:claim:create", identity=identity, context=context, target=claim)
    return ClaimResult(claim, created=True)


def _fulfil(claim: OfferClaim, now: datetime.datetime) -> None:
    offer = claim.offer
    if offer.kind == OfferKind.PARTNER:
        if not _take_code(claim):
            raise _OutOfStock
    elif offer.kind == OfferKind.DATA_GIFT:
        # A check constraint holds both for a data gift.
        assert offer.data_bytes is not None
        assert offer.data_valid_days is not None
        bucket = grant_bonus(
            claim.connection,
            unit=Unit.BYTE,
            amount=offer.data_bytes,
            label=f"Tele2 Komplimenti: {offer.title}",
            source_key=f"offer-claim:{claim.pk}",
            valid_until=now + datetime.timedelta(days=offer.data_valid_days),
        )
        claim.bucket = bucket
        claim.data_bytes = bucket.allowance
        claim.valid_until = bucket.valid_until  # the usage app caps a gift at the end of the current cycle
    else:
        return  # a free month of a service: staff switch it on and mark the claim fulfilled
    claim.state = ClaimState.FULFILLED
    claim.fulfilled_at = now
    claim.save(update_fields=["state", "fulfilled_at", "data_bytes", "valid_until", "bucket"])


def _take_code(claim: OfferClaim) -> bool:
    """Give the claim a free code of its offer. False when none is left."""
    free = PartnerCode.objects.filter(offer_id=claim.offer_id, claim__isnull=True).order_by("pk")
    for _attempt in range(5):
        candidate = free.select_for_update(skip_locked=True).values_list("pk", flat=True).first()
        if candidate is None:
            return False
        if PartnerCode.objects.filter(pk=candidate, claim__isnull=True).update(claim=claim):
            return True
    return False


def _existing_claim(identity: DigitalIdentity, offer_id: int, key: str) -> OfferClaim | None:
    """The person's claim that made theirs fail: the same key, or their live claim of the offer."""
    by_key = OfferClaim.objects.filter(identity=identity, idempotency_key=key).first()
    if by_key is not None:
        return by_key
    return OfferClaim.objects.filter(offer_id=offer_id, identity=identity).exclude(state=ClaimState.CANCELLED).first()


def set_employees_may_claim_gifts(
    *, request: HttpRequest, identity: DigitalIdentity, context: Context, allowed: bool
) -> CompanyOfferSetting:
    """The main user decides for the company whether employees may claim gifts on their work numbers."""
    if not may(context, Action.MANAGE_OFFER_SETTINGS) or context.company_id is None:
        raise NotFound(context.key)
    with transaction.atomic():
        setting, _created = CompanyOfferSetting.objects.select_for_update().get_or_create(company_id=context.company_id)
        setting.employees_may_claim_gifts = allowed
        setting.changed_by = identity
        setting.save()
        action = "offers:company-setting:allow-gifts" if allowed else "offers:company-setting:forbid-gifts"
        record(request, action, identity=identity, context=context, target=setting)
    return setting


def save_offer(*, offer: Offer) -> Offer:
    """Save an offer edited by staff, with its stock left recounted from the live claims.

    The offer's row is locked first; a claim still in flight (inserted, stock not yet taken) is not counted and
    takes its unit from the new figure when it goes on, so the stock stays exact.
    """
    with transaction.atomic():
        if offer.pk is not None:
            Offer.objects.select_for_update().filter(pk=offer.pk).first()
        if offer.stock_total is None:
            offer.stock_left = None
        else:
            live = (
                OfferClaim.objects.filter(offer_id=offer.pk).exclude(state=ClaimState.CANCELLED).count()
                if offer.pk
                else 0
            )
            offer.stock_left = max(0, offer.stock_total - live)
        offer.save()
    return offer


def cancel_claim(*, claim: OfferClaim) -> OfferClaim:
    """Staff cancel a claim that is not fulfilled yet (a free month not switched on); its stock comes back."""
    with transaction.atomic():
        locked = OfferClaim.objects.select_for_update().get(pk=claim.pk)
        if locked.state != ClaimState.CLAIMED:
            return locked
        locked.state = ClaimState.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.save(update_fields=["state", "cancelled_at"])
        Offer.objects.filter(pk=locked.offer_id, stock_left__isnull=False).update(stock_left=F("stock_left") + 1)
    return locked


def mark_fulfilled(*, claim: OfferClaim) -> OfferClaim:
    """Staff confirm that a free month of a service was switched on."""
    with transaction.atomic():
        locked = OfferClaim.objects.select_for_update().get(pk=claim.pk)
        if locked.state == ClaimState.CLAIMED:
            locked.state = ClaimState.FULFILLED
            locked.fulfilled_at = timezone.now()
            locked.save(update_fields=["state", "fulfilled_at"])
    return locked
