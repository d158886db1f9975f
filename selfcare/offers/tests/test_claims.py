"""Claiming: idempotent, one per connection or per person, stock taken once, partner codes, access, audit."""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction

from selfcare.access.contexts import NotFound
from selfcare.audit.models import AuditEvent
from selfcare.customers.models import GB
from selfcare.errors import ErrorCode
from selfcare.offers.codes import generate_codes
from selfcare.offers.eligibility import Reason, eligibility
from selfcare.offers.models import (
    ClaimState,
    CompanyOfferSetting,
    LimitScope,
    Offer,
    OfferClaim,
    OfferKind,
    PartnerCode,
)
from selfcare.offers.services import ClaimRefused, ClaimResult, _fulfil, cancel_claim, claim_offer
from selfcare.offers.tests import factories
from selfcare.offers.tests.conftest import World
from selfcare.usage.models import Bucket, Source

pytestmark = pytest.mark.django_db


def _claim(
    world: World, offer_id: int, *, who: str = "anna", key: str = "private", on: str = "anna_phone", idem: str = "k1"
) -> ClaimResult:
    identity = getattr(world, who)
    return claim_offer(
        request=factories.request(),
        identity=identity,
        context=factories.context_of(identity, key),
        connection_id=getattr(world, on).pk,
        offer_id=offer_id,
        idempotency_key=idem,
    )


def partner_offer(**overrides: object) -> Offer:
    values: dict[str, object] = {
        "kind": OfferKind.PARTNER,
        "data_bytes": None,
        "data_valid_days": None,
        "partner": "Kafija",
    }
    return factories.offer(**(values | overrides))


def test_a_data_gift_claim_is_fulfilled_with_its_amount_and_validity_and_audited(world: World) -> None:
    offer = factories.offer(data_bytes=5 * GB, data_valid_days=7)
    result = _claim(world, offer.pk)
    claim = result.claim
    assert result.created
    assert claim.state == ClaimState.FULFILLED
    assert claim.data_bytes == 5 * GB
    bucket = Bucket.objects.get(source_key=f"offer-claim:{claim.pk}")
    assert claim.bucket == bucket
    assert bucket.connection == world.anna_phone
    assert bucket.allowance == 5 * GB
    assert bucket.source == Source.GIFT
    # Seven days, but a gift never outlives the current cycle (the usage app's rule).
    assert (
        claim.valid_until
        == bucket.valid_until
        == min(claim.claimed_at + datetime.timedelta(days=7), bucket.cycle.ends_at)
    )
    assert claim.context == "private"
    event = AuditEvent.objects.get(action="offers:claim:create")
    assert event.identity == world.anna
    assert event.object_id == str(claim.pk)
    assert event.context == "private"


def test_the_same_form_sent_twice_is_one_claim(world: World) -> None:
    offer = factories.offer(stock_total=10)
    first = _claim(world, offer.pk, idem="same")
    again = _claim(world, offer.pk, idem="same")
    assert again.claim.pk == first.claim.pk
    assert not again.created
    assert OfferClaim.objects.count() == 1
    offer.refresh_from_db()
    assert offer.stock_left == 9


def test_two_tabs_with_different_keys_still_make_one_claim_per_connection(world: World) -> None:
    offer = factories.offer(stock_total=10)
    first = _claim(world, offer.pk, idem="tab-1")
    second = _claim(world, offer.pk, idem="tab-2")
    assert second.claim.pk == first.claim.pk
    assert not second.created
    offer.refresh_from_db()
    assert offer.stock_left == 9


def test_one_per_connection_allows_each_of_the_persons_connections(world: World) -> None:
    offer = factories.offer(limit=LimitScope.CONNECTION)
    _claim(world, offer.pk, idem="a")
    assert _claim(world, offer.pk, on="anna_second", idem="b").created
    assert OfferClaim.objects.filter(offer=offer).count() == 2


def test_one_per_person_refuses_the_persons_second_connection(world: World) -> None:
    offer = factories.offer(limit=LimitScope.PERSON)
    first = _claim(world, offer.pk, idem="a")
    again = _claim(world, offer.pk, on="anna_second", idem="b")
    assert again.claim.pk == first.claim.pk
    assert not again.created
    assert OfferClaim.objects.filter(offer=offer).count() == 1


def test_the_database_refuses_a_second_live_claim_even_past_the_checks(world: World) -> None:
    offer = factories.offer()
    claim = _claim(world, offer.pk).claim
    duplicate = OfferClaim(
        offer=offer,
        identity=world.anna,
        connection=world.anna_phone,
        context="private",
        idempotency_key="x",
        limit_key=claim.limit_key,
    )
    with pytest.raises(Exception, match=r"UNIQUE|unique|duplicate"), transaction.atomic():
        duplicate.save()


def test_no_claim_once_the_stock_is_gone(world: World) -> None:
    offer = factories.offer(stock_total=1)
    _claim(world, offer.pk, idem="a")
    with pytest.raises(ClaimRefused) as refused:
        _claim(world, offer.pk, on="anna_second", idem="b")
    assert refused.value.code == ErrorCode.OFFER_OUT_OF_STOCK
    assert Reason.OUT_OF_STOCK in refused.value.reasons
    offer.refresh_from_db()
    assert offer.stock_left == 0


def test_a_partner_claim_gets_a_code_that_is_shown_again(world: World) -> None:
    offer = partner_offer()
    generate_codes(offer=offer, name="first", count=3, prefix="KAF-")
    claim = _claim(world, offer.pk).claim
    code = PartnerCode.objects.get(claim=claim)
    assert code.code.startswith("KAF-")
    assert claim.state == ClaimState.FULFILLED
    again = _claim(world, offer.pk, idem="other-tab").claim
    assert again.partner_code.code == code.code


def test_a_partner_offer_with_no_free_code_refuses_and_takes_no_stock(world: World) -> None:
    offer = partner_offer(stock_total=5)
    generate_codes(offer=offer, name="one", count=1)
    _claim(world, offer.pk, idem="a")
    with pytest.raises(ClaimRefused) as refused:
        _claim(world, offer.pk, on="anna_second", idem="b")
    assert refused.value.code == ErrorCode.OFFER_OUT_OF_STOCK
    offer.refresh_from_db()
    assert offer.stock_left == 4
    assert OfferClaim.objects.filter(offer=offer).count() == 1


def test_no_claim_on_a_connection_the_person_may_not_see(world: World) -> None:
    offer = factories.offer()
    with pytest.raises(NotFound):
        _claim(world, offer.pk, on="stranger_phone")
    company = world.company.pk
    with pytest.raises(NotFound):
        _claim(world, offer.pk, who="peteris", key=f"work-{company}", on="colleague_phone")
    assert not OfferClaim.objects.exists()


def test_no_claim_of_an_offer_that_is_not_shown(world: World) -> None:
    offer = factories.offer(for_private=False)
    with pytest.raises(NotFound):
        _claim(world, offer.pk)
    with pytest.raises(NotFound):
        _claim(world, 999_999)


def test_an_employee_claims_a_gift_only_while_the_company_allows_it(world: World) -> None:
    company = world.company
    offer = factories.offer()
    CompanyOfferSetting.objects.create(company=company, employees_may_claim_gifts=False)
    with pytest.raises(ClaimRefused) as refused:
        _claim(world, offer.pk, who="peteris", key=f"work-{company.pk}", on="work_phone")
    assert refused.value.reasons == (Reason.EMPLOYER_OFF,)
    CompanyOfferSetting.objects.filter(company=company).update(employees_may_claim_gifts=True)
    claim = _claim(world, offer.pk, who="peteris", key=f"work-{company.pk}", on="work_phone").claim
    assert claim.company_id == company.pk
    assert claim.context == f"work-{company.pk}"


def test_a_free_month_waits_for_staff_and_cancelling_it_returns_the_stock(world: World) -> None:
    offer = factories.offer(
        kind=OfferKind.SERVICE_GIFT, data_bytes=None, data_valid_days=None, service_name="Tele2 TV", stock_total=2
    )
    claim = _claim(world, offer.pk).claim
    assert claim.state == ClaimState.CLAIMED
    cancel_claim(claim=claim)
    offer.refresh_from_db()
    assert offer.stock_left == 2
    assert _claim(world, offer.pk, idem="again").created  # a cancelled claim no longer counts


def test_a_retried_fulfilment_grants_the_data_once(world: World) -> None:
    offer = factories.offer()
    claim = _claim(world, offer.pk).claim
    _fulfil(claim, claim.claimed_at)  # as a retry after a crash would
    assert Bucket.objects.filter(source_key=f"offer-claim:{claim.pk}").count() == 1


def test_someone_elses_claim_on_the_connection_counts_but_its_code_is_not_shown(world: World) -> None:
    offer = partner_offer(limit=LimitScope.CONNECTION)
    generate_codes(offer=offer, name="codes", count=3)
    company = f"company-{world.company.pk}"
    main_users = _claim(world, offer.pk, key=company, on="work_phone").claim
    work = f"work-{world.company.pk}"
    with pytest.raises(ClaimRefused) as refused:
        _claim(world, offer.pk, who="peteris", key=work, on="work_phone", idem="p")
    assert refused.value.reasons == (Reason.ALREADY_CLAIMED,)
    answer = eligibility(
        offer,
        context=factories.context_of(world.peteris, work),
        connection=world.work_phone,
        identity_id=world.peteris.pk,
        at=main_users.claimed_at,
    )
    assert answer.claim is None
    assert answer.reasons == (Reason.ALREADY_CLAIMED,)
