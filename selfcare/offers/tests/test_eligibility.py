"""Eligibility: segment, plan, tenure, window, lifecycle, limits, stock and the employer's setting, each with the
reason the page shows."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from selfcare.customers.models import Segment
from selfcare.customers.tests import factories as customers
from selfcare.offers.eligibility import Reason, eligibility
from selfcare.offers.models import CompanyOfferSetting, Offer, OfferImage, OfferKind, OfferStatus
from selfcare.offers.selectors import offers_for_connection, teaser_counts
from selfcare.offers.tests import factories
from selfcare.offers.tests.conftest import World

pytestmark = pytest.mark.django_db


def _reasons(
    world: World, offer: Offer, *, who: str = "anna", key: str = "private", on: str = "anna_phone"
) -> set[Reason]:
    identity = getattr(world, who)
    answer = eligibility(
        offer,
        context=factories.context_of(identity, key),
        connection=getattr(world, on),
        identity_id=identity.pk,
        at=timezone.now(),
    )
    return set(answer.reasons)


def test_an_active_offer_in_its_window_for_private_customers_is_claimable(world: World) -> None:
    assert _reasons(world, factories.offer()) == set()


def test_an_offer_only_for_employees_is_not_for_a_private_connection(world: World) -> None:
    offer = factories.offer(for_private=False, for_company=False, for_employees=True)
    assert Reason.SEGMENT in _reasons(world, offer)
    assert _reasons(world, offer, who="peteris", key=f"work-{world.company.pk}", on="work_phone") == set()


def test_an_offer_for_companies_is_shown_to_the_main_user_not_to_the_employee(world: World) -> None:
    offer = factories.offer(for_private=False, for_company=True, for_employees=False)
    company = world.company.pk
    assert _reasons(world, offer, key=f"company-{company}", on="colleague_phone") == set()
    assert Reason.SEGMENT in _reasons(world, offer, who="peteris", key=f"work-{company}", on="work_phone")


def test_an_offer_for_other_tariff_plans_says_so(world: World) -> None:
    other = customers.tariff_plan(segment=Segment.PRIVATE)
    offer = factories.offer(tariff_plans=[other])
    assert _reasons(world, offer) == {Reason.PLAN}
    assert _reasons(world, factories.offer(tariff_plans=[other, world.anna_phone.tariff_plan])) == set()


def test_a_connection_too_new_for_the_tenure_rule_is_told_how_long_it_needs(world: World) -> None:
    tenure = (timezone.localdate() - world.anna_phone.activated_on).days
    assert _reasons(world, factories.offer(min_tenure_days=tenure)) == set()
    offer = factories.offer(min_tenure_days=tenure + 1)
    assert _reasons(world, offer) == {Reason.TENURE}
    answer = offers_for_connection(
        identity_id=world.anna.pk, context=factories.context_of(world.anna, "private"), connection=world.anna_phone
    )
    [shown] = [a for a in answer if a.offer.pk == offer.pk]
    with translation.override("en"):
        assert shown.messages() == [
            f"This offer is available once the connection has been with us for {tenure + 1} days."
        ]


def test_offers_outside_their_window_or_unpublished_are_hidden(world: World) -> None:
    now = timezone.now()
    later = factories.offer(valid_from=now + datetime.timedelta(hours=1), valid_until=now + datetime.timedelta(days=2))
    over = factories.offer(valid_from=now - datetime.timedelta(days=9), valid_until=now - datetime.timedelta(seconds=1))
    draft = factories.offer(status=OfferStatus.DRAFT)
    retired = factories.offer(status=OfferStatus.RETIRED)
    assert Reason.NOT_STARTED in _reasons(world, later)
    assert Reason.ENDED in _reasons(world, over)
    assert Reason.NOT_PUBLISHED in _reasons(world, draft)
    assert Reason.NOT_PUBLISHED in _reasons(world, retired)
    shown = offers_for_connection(
        identity_id=world.anna.pk, context=factories.context_of(world.anna, "private"), connection=world.anna_phone
    )
    assert {a.offer.pk for a in shown}.isdisjoint({later.pk, over.pk, draft.pk, retired.pk})


def test_a_paused_offer_is_shown_but_not_claimable(world: World) -> None:
    assert _reasons(world, factories.offer(status=OfferStatus.PAUSED)) == {Reason.PAUSED}


def test_a_special_offer_is_information_only(world: World) -> None:
    offer = factories.offer(kind=OfferKind.SPECIAL, data_bytes=None, data_valid_days=None, link="https://tele2.lv/")
    assert _reasons(world, offer) == {Reason.INFORMATION_ONLY}


def test_an_offer_with_no_stock_left_says_so(world: World) -> None:
    assert _reasons(world, factories.offer(stock_total=3, stock_left=0)) == {Reason.OUT_OF_STOCK}


def test_a_suspended_connection_cannot_claim(world: World) -> None:
    world.anna_phone.status = "suspended"
    world.anna_phone.save()
    assert _reasons(world, factories.offer()) == {Reason.CONNECTION_INACTIVE}


def test_the_employer_switching_gifts_off_stops_gifts_but_not_partner_codes(world: World) -> None:
    company = world.company
    key = f"work-{company.pk}"
    gift = factories.offer()
    partner = factories.offer(kind=OfferKind.PARTNER, data_bytes=None, data_valid_days=None, partner="Kafija")
    CompanyOfferSetting.objects.create(company=company, employees_may_claim_gifts=False)
    assert _reasons(world, gift, who="peteris", key=key, on="work_phone") == {Reason.EMPLOYER_OFF}
    assert _reasons(world, partner, who="peteris", key=key, on="work_phone") == set()
    CompanyOfferSetting.objects.filter(company=company).update(employees_may_claim_gifts=True)
    assert _reasons(world, gift, who="peteris", key=key, on="work_phone") == set()


def test_the_dashboard_teaser_counts_the_offers_each_context_is_shown(world: World) -> None:
    factories.offer(for_private=True, for_company=False, for_employees=False)
    factories.offer(for_private=True, for_company=True, for_employees=True)
    factories.offer(status=OfferStatus.DRAFT)
    company = world.company.pk
    counts = teaser_counts(
        [factories.context_of(world.anna, "private"), factories.context_of(world.anna, f"company-{company}")]
    )
    assert counts == {"private": 2, f"company-{company}": 1}


def test_a_welcome_offer_is_claimable_in_a_connections_first_days_and_then_no_longer_shown(world: World) -> None:
    tenure = (timezone.localdate() - world.anna_phone.activated_on).days
    assert _reasons(world, factories.offer(welcome_days=tenure + 1)) == set()  # its last welcome day
    over = factories.offer(welcome_days=tenure)
    assert _reasons(world, over) == {Reason.WELCOME_OVER}
    shown = offers_for_connection(
        identity_id=world.anna.pk, context=factories.context_of(world.anna, "private"), connection=world.anna_phone
    )
    assert over.pk not in {a.offer.pk for a in shown}  # a long-standing customer is not shown what newcomers get


def test_welcome_offers_are_not_counted_in_a_contexts_teaser_but_offered_with_each_new_connection(world: World) -> None:
    factories.offer(for_private=True)
    factories.offer(for_private=True, welcome_days=10_000)
    counts = teaser_counts([factories.context_of(world.anna, "private")])
    assert counts["private"] == 1
    shown = offers_for_connection(
        identity_id=world.anna.pk, context=factories.context_of(world.anna, "private"), connection=world.anna_phone
    )
    assert len(shown) == 2


def test_a_connections_offers_are_two_statements_with_their_plans_and_pictures(world: World) -> None:
    """The offers with their pictures and the plans each is limited to, then the claims: however many offers and
    plans, and each offer still once, in its order, with its own plans and picture."""
    other = customers.tariff_plan()
    own = world.anna_phone.tariff_plan
    for_two_plans = factories.offer(tariff_plans=[other, own])
    for_another_plan = factories.offer(tariff_plans=[other])
    pictured = factories.offer()
    OfferImage.objects.create(offer=pictured, content=b"", content_type="image/webp", width=1, height=1)
    context = factories.context_of(world.anna, "private")
    with CaptureQueriesContext(db) as captured:
        shown = offers_for_connection(identity_id=world.anna.pk, context=context, connection=world.anna_phone)
    assert len(captured) == 2
    assert [a.offer.pk for a in shown] == [o.pk for o in Offer.objects.on_show(timezone.now())]
    by_offer = {a.offer.pk: a for a in shown}
    assert by_offer[for_two_plans.pk].reasons == ()
    assert by_offer[for_another_plan.pk].reasons == (Reason.PLAN,)
    assert [a.offer.has_image for a in shown] == [a.offer.pk == pictured.pk for a in shown]  # type: ignore[attr-defined]


def test_the_offers_statement_compiled_once_reads_what_the_queryset_reads(world: World) -> None:
    from django.db.models import F

    from selfcare.offers.selectors import _with_image, shown_offers_and_plans

    plans = [world.anna_phone.tariff_plan, world.work_phone.tariff_plan]
    now = timezone.now()
    pictured = factories.offer(valid_from=now - datetime.timedelta(days=3), tariff_plans=plans)
    OfferImage.objects.create(offer=pictured, content=b"x", content_type="image/webp", width=1, height=1)
    factories.offer(valid_from=now - datetime.timedelta(days=3))  # the same start: the id orders them
    paused = factories.offer(status=OfferStatus.PAUSED, tariff_plans=plans[:1])
    factories.offer(valid_from=now + datetime.timedelta(days=1))  # not yet on show
    factories.offer(valid_until=now - datetime.timedelta(seconds=1))  # over
    for moment in (now, now + datetime.timedelta(days=2)):
        rows = Offer.objects.on_show(moment).annotate(has_image=_with_image(), plan_id=F("tariff_plans__id"))
        expected = list(dict.fromkeys((o.pk, o.has_image, o.title_en, o.valid_from) for o in rows))  # type: ignore[attr-defined]
        for _ in range(2):  # compiled on the first call, reused on the second
            offers, by_offer = shown_offers_and_plans(moment)
            assert [(o.pk, o.has_image, o.title_en, o.valid_from) for o in offers] == expected  # type: ignore[attr-defined]
            assert by_offer == {pictured.pk: frozenset(p.pk for p in plans), paused.pk: frozenset([plans[0].pk])}
