"""Reads shared by the pages: the offers of one connection in a context, a context's offers, dashboard teasers.

Query counts do not grow with the number of offers or connections: a connection's offers take two queries,
a dashboard's teaser one.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from selfcare.access.contexts import Context
from selfcare.customers.models import Connection, Segment
from selfcare.offers.eligibility import Eligibility, evaluate, gather_facts, segment_matches
from selfcare.offers.models import Offer, OfferImage, OfferStatus
from selfcare.queries import MARK_MOMENT, Prepared


def _with_image() -> Exists:
    return Exists(OfferImage.objects.filter(offer=OuterRef("pk")))


def shown_offers(at: datetime.datetime | None = None) -> list[Offer]:
    """Offers on show now (active or paused, in their window), with whether each has a picture (`has_image`)."""
    return list(Offer.objects.on_show(at or timezone.now()).annotate(has_image=_with_image()))


def shown_offers_and_plans(at: datetime.datetime) -> tuple[list[Offer], dict[int, frozenset[int]]]:
    """`shown_offers` and the tariff plans each is limited to (offer id → plan ids; an offer for every plan is not
    in it), in one statement: a row per offer and plan, the offers in their order."""
    offers: dict[int, Offer] = {}
    plans: dict[int, set[int]] = {}
    for offer in _SHOWN_OFFERS_AND_PLANS.models(at=at):
        if offer.pk not in offers:
            offer.has_image = bool(offer.has_image)  # type: ignore[attr-defined] # SQLite answers 0 or 1
            offers[offer.pk] = offer
        if offer.plan_id is not None:  # type: ignore[attr-defined]
            plans.setdefault(offer.pk, set()).add(offer.plan_id)  # type: ignore[attr-defined]
    return list(offers.values()), {offer_id: frozenset(ids) for offer_id, ids in plans.items()}


# The statement of `shown_offers_and_plans`, compiled by Django once (selfcare.queries.Prepared): its text is the
# same on every connection page but for the moment, and compiling it (the picture's EXISTS, the plans' join, the
# ordering over the offer's thirty-odd columns) was about a millisecond of CPU per page, the page's largest
# compile (docs/performance.md).
_SHOWN_OFFERS_AND_PLANS = Prepared(
    Offer,
    lambda at: Offer.objects.on_show(at).annotate(has_image=_with_image(), plan_id=F("tariff_plans__id")),
    at=MARK_MOMENT,
)


def offers_for_connection(
    *, identity_id: uuid.UUID, context: Context, connection: Connection, at: datetime.datetime | None = None
) -> list[Eligibility]:
    """The offers this connection is shown in this context, each with its answer (claimable or why not): two
    statements (three for an employee), the offers with their pictures and plans, and the claims."""
    when = at or timezone.now()
    shown, plans = shown_offers_and_plans(when)
    offers = [offer for offer in shown if segment_matches(offer, context)]
    facts = gather_facts(offers, context=context, connection=connection, identity_id=identity_id, at=when, plans=plans)
    answers = [evaluate(offer, facts) for offer in offers]
    return [answer for answer in answers if not answer.hidden]


def offers_for_context(context: Context, offers: Iterable[Offer]) -> list[Offer]:
    """The offers for everyone in this context. Welcome offers are left out: they belong to a connection's first
    days, so they are shown (and counted) with each new connection, where eligibility decides, not per context."""
    return [offer for offer in offers if offer.welcome_days is None and segment_matches(offer, context)]


# The teasers' statement, on every dashboard: compiled once (selfcare.queries.Prepared), as the connection page's.
_TEASED = Prepared(
    Offer,
    lambda at: (
        Offer.objects.on_show(at)
        .only("for_private", "for_company", "for_employees", "welcome_days")
        .order_by()  # counted, not listed
    ),
    at=MARK_MOMENT,
)


def teaser_counts(contexts: Iterable[Context]) -> dict[str, int]:
    """How many offers each context is shown now, by context key: one query for all of them."""
    offers = list(_TEASED.models(at=timezone.now()))
    return {context.key: len(offers_for_context(context, offers)) for context in contexts}


@dataclass(frozen=True, slots=True)
class WelcomeOffer:
    """A welcome offer to new customers with the plan codes it comes with (empty: every plan)."""

    offer: Offer
    plan_codes: frozenset[str]

    def with_plan(self, code: str) -> bool:
        return not self.plan_codes or code in self.plan_codes


def welcome_offers(segment: str, at: datetime.datetime | None = None) -> list[WelcomeOffer]:
    """The welcome offers the public plan pages show to a segment ("private", "business"): active ones in their
    window (a paused offer is not advertised), in two queries. Companies' offers are those for their main users."""
    when = at or timezone.now()
    audience = Q(for_private=True) if segment == Segment.PRIVATE else Q(for_company=True)
    offers = list(Offer.objects.on_show(when).filter(audience, status=OfferStatus.ACTIVE, welcome_days__isnull=False))
    codes: dict[int, set[str]] = {}
    through = Offer.tariff_plans.through.objects.filter(offer_id__in=[offer.pk for offer in offers])
    for offer_id, code in through.values_list("offer_id", "tariffplan__code"):
        codes.setdefault(offer_id, set()).add(code)
    return [WelcomeOffer(offer, frozenset(codes.get(offer.pk, ()))) for offer in offers]
