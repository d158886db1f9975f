"""The demo's offers: what the issue's "Done when" needs, loaded once and untouched by a second run."""

from __future__ import annotations

from typing import Any

import pytest

from selfcare.demo.loader import load_demo
from selfcare.offers.models import CodePool, Offer, OfferImage, OfferKind, PartnerCode

pytestmark = pytest.mark.django_db


def _snapshot() -> dict[str, list[tuple[Any, ...]]]:
    return {
        model.__name__: sorted(model.objects.values_list(), key=repr)
        for model in (Offer, CodePool, PartnerCode, OfferImage)
    }


def test_the_demo_has_a_data_gift_for_employees_a_welcome_gift_a_partner_code_pool_and_a_special_offer() -> None:
    load_demo()
    gift = Offer.objects.get(kind=OfferKind.DATA_GIFT, welcome_days=None)
    assert gift.for_employees
    assert gift.for_private
    welcome = Offer.objects.get(welcome_days__isnull=False)
    assert welcome.kind == OfferKind.DATA_GIFT
    assert welcome.for_private
    assert welcome.for_company
    partner = Offer.objects.get(kind=OfferKind.PARTNER)
    assert partner.codes.count() == 300
    assert Offer.objects.filter(kind=OfferKind.SPECIAL).exclude(link="").exists()
    assert OfferImage.objects.count() == 4


def test_loading_the_demo_twice_leaves_the_offers_and_codes_as_they_were() -> None:
    load_demo()
    before = _snapshot()
    assert not load_demo().changed_anything
    assert _snapshot() == before
