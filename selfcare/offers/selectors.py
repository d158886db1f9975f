"""Reads shared by the pages: the offers of one connection in a context, a context's offers, dashboard teasers.

Query counts do not grow with the number of offers or connections: a connection's offers take four queries,
a dashboard's teaser one.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable

from django.utils import timezone

from selfcare.access.contexts import Context
from selfcare.customers.models import Connection
from selfcare.offers.eligibility import Eligibility, evaluate, gather_facts, segment_matches
from selfcare.offers.models import Offer, OfferImage


def shown_offers(at: datetime.datetime | None = None) -> list[Offer]:
    """Offers on show now (active or paused, in their window), with whether each has a picture."""
    when = at or timezone.now()
    offers = list(Offer.objects.on_show(when))
    with_image = set(OfferImage.objects.filter(offer__in=offers).values_list("offer_id", flat=True))
    for offer in offers:
        offer.has_image = offer.pk in with_image  # type: ignore[attr-defined]
    return offers


def offers_for_connection(
    *, identity_id: uuid.UUID, context: Context, connection: Connection, at: datetime.datetime | None = None
) -> list[Eligibility]:
    """The offers this connection is shown in this context, each with its answer (claimable or why not)."""
    when = at or timezone.now()
    offers = [offer for offer in shown_offers(when) if segment_matches(offer, context)]
    facts = gather_facts(offers, context=context, connection=connection, identity_id=identity_id, at=when)
    answers = [evaluate(offer, facts) for offer in offers]
    return [answer for answer in answers if not answer.hidden]


def offers_for_context(context: Context, offers: Iterable[Offer]) -> list[Offer]:
    return [offer for offer in offers if segment_matches(offer, context)]


def teaser_counts(contexts: Iterable[Context]) -> dict[str, int]:
    """How many offers each context is shown now, by context key: one query for all of them."""
    offers = list(Offer.objects.on_show(timezone.now()).only("for_private", "for_company", "for_employees"))
    return {context.key: len(offers_for_context(context, offers)) for context in contexts}
