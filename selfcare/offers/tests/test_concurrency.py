"""Claims racing each other, each in its own thread with its own database connection.

On PostgreSQL (DATABASE_URL) the claimers start together at a barrier and really race: the conditional stock
UPDATE, SKIP LOCKED code assignment and the unique constraints are what keep the numbers right. SQLite has no
row locks and allows one writer at a time, so there the claimers take turns (a lock around each claim); the test
then still proves that claims past the stock are refused and nothing is given twice.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

import pytest
from django.db import connection as default_connection
from django.db import connections

from selfcare.access.contexts import Context
from selfcare.access.tests import factories as people
from selfcare.customers.models import Connection, Segment
from selfcare.customers.tests import factories as customers
from selfcare.identity.models import DigitalIdentity
from selfcare.offers.codes import generate_codes
from selfcare.offers.models import ClaimState, OfferClaim, OfferKind, PartnerCode
from selfcare.offers.services import ClaimRefused, claim_offer
from selfcare.offers.tests import factories

pytestmark = pytest.mark.django_db(transaction=True)

CLAIMERS = 12
T = TypeVar("T")


def _race(jobs: list[Callable[[], T]]) -> list[T | Exception]:
    serial = default_connection.vendor == "sqlite"
    barrier = threading.Barrier(len(jobs))
    turn = threading.Lock()
    results: list[T | Exception] = [RuntimeError("not run")] * len(jobs)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            if serial:
                with turn:
                    results[index] = jobs[index]()
            else:
                results[index] = jobs[index]()
        except Exception as error:
            results[index] = error
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _private_customer(count: int) -> tuple[DigitalIdentity, Context, list[Connection]]:
    anna = people.person("150385-12346", "ANNA", "BĒRZIŅA")
    account = customers.private_account(personal_code="150385-12346", holder_name="Anna Bērziņa")
    plan = customers.tariff_plan(segment=Segment.PRIVATE)
    phones = [customers.connection(account=account, tariff_plan=plan) for _ in range(count)]
    return anna, factories.context_of(anna, "private"), phones


def _claimer(
    identity: DigitalIdentity, context: Context, phone: Connection, offer_id: int, key: str
) -> Callable[[], OfferClaim]:
    def claim() -> OfferClaim:
        return claim_offer(
            request=factories.request(),
            identity=identity,
            context=context,
            connection_id=phone.pk,
            offer_id=offer_id,
            idempotency_key=key,
        ).claim

    return claim


def test_parallel_claimers_never_take_more_than_the_stock() -> None:
    anna, context, phones = _private_customer(CLAIMERS)
    offer = factories.offer(stock_total=5)
    results = _race([_claimer(anna, context, phone, offer.pk, f"k{i}") for i, phone in enumerate(phones)])
    claims = [r for r in results if isinstance(r, OfferClaim)]
    refused = [r for r in results if isinstance(r, ClaimRefused)]
    assert len(claims) == 5, results
    assert len(refused) == CLAIMERS - 5, results
    offer.refresh_from_db()
    assert offer.stock_left == 0
    assert OfferClaim.objects.filter(offer=offer).count() == 5


def test_parallel_claimers_of_a_partner_offer_each_get_a_different_code_until_none_is_left() -> None:
    anna, context, phones = _private_customer(CLAIMERS)
    offer = factories.offer(kind=OfferKind.PARTNER, data_bytes=None, data_valid_days=None, partner="Kafija")
    generate_codes(offer=offer, name="five", count=5)
    results = _race([_claimer(anna, context, phone, offer.pk, f"k{i}") for i, phone in enumerate(phones)])
    claims = [r for r in results if isinstance(r, OfferClaim)]
    assert len(claims) == 5, results
    assert all(isinstance(r, (OfferClaim, ClaimRefused)) for r in results), results
    given = PartnerCode.objects.filter(offer=offer, claim__isnull=False)
    assert given.count() == 5
    assert len(set(given.values_list("claim_id", flat=True))) == 5
    assert OfferClaim.objects.filter(offer=offer, state=ClaimState.FULFILLED).count() == 5


def test_many_tabs_claiming_at_once_make_one_claim_and_all_see_it() -> None:
    anna, context, phones = _private_customer(1)
    offer = factories.offer(stock_total=100)
    results = _race([_claimer(anna, context, phones[0], offer.pk, f"tab-{i}") for i in range(8)])
    assert all(isinstance(r, OfferClaim) for r in results), results
    assert len({r.pk for r in results if isinstance(r, OfferClaim)}) == 1
    offer.refresh_from_db()
    assert offer.stock_left == 99
