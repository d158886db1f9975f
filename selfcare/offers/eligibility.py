"""May this connection, in this context, claim this offer now? One function answers, with every reason why not.

The page shows the reasons ("Available after 90 days with Tele2", "Your employer has not enabled gifts"), so an
offer a person cannot claim is explained, not hidden. Some reasons mean the offer is not for this person at all
(wrong segment, outside its window, a draft): pages leave those offers out (`HIDDEN`).

What is **not** decided here: whether the person may see the connection. Callers get the connection from
`selfcare.access.policy.require_connection` first, so a connection one may not see never reaches this module.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise

from selfcare.access.contexts import Action, Context, ContextKind
from selfcare.access.policy import may
from selfcare.customers.models import Connection, ConnectionStatus
from selfcare.offers.models import ClaimState, CompanyOfferSetting, LimitScope, Offer, OfferClaim, OfferStatus
from selfcare.queries import MARK_ID, MARK_IDS, MARK_UUID, Prepared


class Reason(StrEnum):
    NOT_PUBLISHED = "not_published"
    NOT_STARTED = "not_started"
    ENDED = "ended"
    SEGMENT = "segment"
    PAUSED = "paused"
    INFORMATION_ONLY = "information_only"
    NO_RIGHT = "no_right"
    CONNECTION_INACTIVE = "connection_inactive"
    PLAN = "plan"
    TENURE = "tenure"
    WELCOME_OVER = "welcome_over"
    EMPLOYER_OFF = "employer_off"
    ALREADY_CLAIMED = "already_claimed"
    CLAIMED_ELSEWHERE = "claimed_elsewhere"
    OUT_OF_STOCK = "out_of_stock"


# Reasons that mean "not an offer for you": the offer is left out of the page rather than explained. A welcome
# offer whose days have passed is one of them: a customer of ten years need not read what newcomers get.
HIDDEN = frozenset({Reason.NOT_PUBLISHED, Reason.NOT_STARTED, Reason.ENDED, Reason.SEGMENT, Reason.WELCOME_OVER})

MESSAGES: dict[Reason, StrPromise] = {
    Reason.NOT_PUBLISHED: _("This offer is not available."),
    Reason.NOT_STARTED: _("This offer has not started yet."),
    Reason.ENDED: _("This offer has ended."),
    Reason.SEGMENT: _("This offer is not meant for this kind of connection."),
    Reason.PAUSED: _("This offer is paused for a while. Try again later."),
    Reason.INFORMATION_ONLY: _("This offer needs no claim: follow the link to use it."),
    Reason.NO_RIGHT: _("Offers cannot be claimed in this role."),
    Reason.CONNECTION_INACTIVE: _("Offers can be claimed only on an active connection."),
    Reason.PLAN: _("This offer is not available with this connection's tariff plan."),
    Reason.TENURE: _("This offer is available once the connection has been with us for %(days)s days."),
    Reason.WELCOME_OVER: _("This welcome offer was for a connection's first %(days)s days."),
    Reason.EMPLOYER_OFF: _("Your employer has not enabled gifts on work numbers."),
    Reason.ALREADY_CLAIMED: _("Already claimed for this connection."),
    Reason.CLAIMED_ELSEWHERE: _("You have already claimed this offer on another connection."),
    Reason.OUT_OF_STOCK: _("All of this offer has been claimed."),
}


@dataclass(frozen=True, slots=True)
class Eligibility:
    """The answer for one offer: claimable when `reasons` is empty. `claim` is the person's own live claim that
    counts against the limit, if there is one: the page shows its result again. Another person's claim on the
    same connection (a previous user of a work number, the company's main user) counts too, but is not shown."""

    offer: Offer
    reasons: tuple[Reason, ...]
    claim: OfferClaim | None = None

    @property
    def claimable(self) -> bool:
        return not self.reasons

    @property
    def hidden(self) -> bool:
        return any(reason in HIDDEN for reason in self.reasons)

    def messages(self) -> list[str]:
        days = {Reason.TENURE: self.offer.min_tenure_days, Reason.WELCOME_OVER: self.offer.welcome_days}
        return [str(MESSAGES[r]) % {"days": days[r]} if r in days else str(MESSAGES[r]) for r in self.reasons]


def segment_matches(offer: Offer, context: Context) -> bool:
    if context.kind == ContextKind.PRIVATE:
        return offer.for_private
    if context.kind == ContextKind.COMPANY:
        return offer.for_company
    if context.kind == ContextKind.WORK:
        return offer.for_employees
    return False


def employees_may_claim_gifts(company_id: int | None) -> bool:
    if company_id is None:
        return True
    setting = CompanyOfferSetting.objects.filter(company_id=company_id).first()
    return setting is None or setting.employees_may_claim_gifts


@dataclass(frozen=True, slots=True)
class Facts:
    """What the rules need beyond the offer, read once for all offers shown on a page."""

    context: Context
    connection: Connection
    identity_id: uuid.UUID
    at: datetime.datetime
    plan_ids: dict[int, frozenset[int]]  # offer id → tariff plan ids (empty: every plan)
    claims: dict[int, list[OfferClaim]]  # offer id → the person's or the connection's live claims
    employer_allows_gifts: bool


def evaluate(offer: Offer, facts: Facts) -> Eligibility:
    """Every reason this offer cannot be claimed on `facts.connection` now; none means it can."""
    reasons: list[Reason] = []
    if offer.status in (OfferStatus.DRAFT, OfferStatus.RETIRED):
        reasons.append(Reason.NOT_PUBLISHED)
    if facts.at < offer.valid_from:
        reasons.append(Reason.NOT_STARTED)
    if facts.at >= offer.valid_until:
        reasons.append(Reason.ENDED)
    if not segment_matches(offer, facts.context):
        reasons.append(Reason.SEGMENT)
    if offer.status == OfferStatus.PAUSED:
        reasons.append(Reason.PAUSED)
    if not offer.is_claimable:
        reasons.append(Reason.INFORMATION_ONLY)
        return Eligibility(offer, tuple(reasons))
    if not may(facts.context, Action.CLAIM_OFFER):
        reasons.append(Reason.NO_RIGHT)
    if facts.connection.status != ConnectionStatus.ACTIVE:
        reasons.append(Reason.CONNECTION_INACTIVE)
    plans = facts.plan_ids.get(offer.pk, frozenset())
    if plans and facts.connection.tariff_plan_id not in plans:
        reasons.append(Reason.PLAN)
    tenure = (timezone.localdate(facts.at) - facts.connection.activated_on).days
    if tenure < offer.min_tenure_days:
        reasons.append(Reason.TENURE)
    if offer.welcome_days is not None and tenure >= offer.welcome_days:
        reasons.append(Reason.WELCOME_OVER)
    if offer.is_gift and facts.context.kind == ContextKind.WORK and not facts.employer_allows_gifts:
        reasons.append(Reason.EMPLOYER_OFF)
    claim = _live_claim(offer, facts)
    if claim is not None:
        same_connection = claim.connection_id == facts.connection.pk
        reasons.append(Reason.ALREADY_CLAIMED if same_connection else Reason.CLAIMED_ELSEWHERE)
        if claim.identity_id != facts.identity_id:
            claim = None  # someone else's claim on this connection: what it gave (a code) is theirs
    elif offer.stock_left is not None and offer.stock_left <= 0:
        reasons.append(Reason.OUT_OF_STOCK)
    return Eligibility(offer, tuple(reasons), claim)


def _live_claim(offer: Offer, facts: Facts) -> OfferClaim | None:
    for claim in facts.claims.get(offer.pk, []):
        if offer.limit == LimitScope.CONNECTION and claim.connection_id == facts.connection.pk:
            return claim
        if offer.limit == LimitScope.PERSON and claim.identity_id == facts.identity_id:
            return claim
    return None


# The claims on this connection or by this person of the offers shown, one condition (combining two querysets with
# `|` cost more CPU than the statement; docs/performance.md), compiled once per number of offers (the offers on
# show are few) by selfcare.queries.Prepared: on every connection page.
_LIVE_CLAIMS = Prepared(
    OfferClaim,
    lambda connection_id, identity_id, offer_ids: (
        OfferClaim.objects.filter(Q(connection_id=connection_id) | Q(identity_id=identity_id), offer_id__in=offer_ids)
        .exclude(state=ClaimState.CANCELLED)
        .select_related("partner_code")
    ),
    connection_id=MARK_ID,
    identity_id=MARK_UUID,
    offer_ids=MARK_IDS,
)


def gather_facts(
    offers: Iterable[Offer],
    *,
    context: Context,
    connection: Connection,
    identity_id: uuid.UUID,
    at: datetime.datetime,
    plans: Mapping[int, frozenset[int]] | None = None,
) -> Facts:
    """Three queries whatever the number of offers: their plans (none when the caller read them with the offers,
    `plans`: offer id → plan ids, only offers limited to some plans), the relevant live claims, the company setting
    (only for an employee)."""
    offer_ids = [offer.pk for offer in offers]
    plan_ids: dict[int, set[int]] = {}
    if plans is not None:
        plan_ids = {offer_id: set(plans[offer_id]) for offer_id in offer_ids if offer_id in plans}
    else:
        for offer_id, plan_id in Offer.tariff_plans.through.objects.filter(offer_id__in=offer_ids).values_list(
            "offer_id", "tariffplan_id"
        ):
            plan_ids.setdefault(offer_id, set()).add(plan_id)
    claims: dict[int, list[OfferClaim]] = {}
    # No statement at all when no offer is shown (an empty list of ids).
    live = _LIVE_CLAIMS.models(connection_id=connection.pk, identity_id=identity_id, offer_ids=offer_ids)
    for claim in live:
        claims.setdefault(claim.offer_id, []).append(claim)
    allows = employees_may_claim_gifts(context.company_id) if context.kind == ContextKind.WORK else True
    return Facts(
        context,
        connection,
        identity_id,
        at,
        {key: frozenset(value) for key, value in plan_ids.items()},
        claims,
        allows,
    )


def eligibility(
    offer: Offer, *, context: Context, connection: Connection, identity_id: uuid.UUID, at: datetime.datetime
) -> Eligibility:
    """The answer for one offer (the claim service asks again, inside its transaction)."""
    facts = gather_facts([offer], context=context, connection=connection, identity_id=identity_id, at=at)
    return evaluate(offer, facts)
