"""Public plan pages: the operator's catalogue (TMF620, the simulator here) read by the portal's client, for anyone
before login — what each plan includes in the reader's language and format, and plans side by side."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from selfcare.tests.faults import closed_port

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def catalogue(simulators_url: str) -> str:
    cache.clear()  # the catalogue is cached: each test reads it from the simulator
    return simulators_url


def test_anyone_sees_the_private_plans_with_prices_including_vat_and_what_they_include() -> None:
    page = Client().get("/en/plans/").content.decode()
    assert "Privāts 10 GB" in page
    assert "Bizness Eiropa 5 GB" not in page  # business plans are on their own tab
    assert "€12.09 a month" in page  # 9.99 + 21 % VAT, as an English reader writes it
    assert "10 GB" in page
    assert "500 min" in page
    assert "Unlimited" in page  # Privāts Bezlimits


def test_companies_see_business_plans_without_vat_and_a_plan_without_calls_says_so() -> None:
    page = Client().get("/en/plans/?for=business").content.decode()
    assert "Bizness Eiropa 15 GB" in page
    assert "Privāts 10 GB" not in page
    assert "€19.99 a month, excl. VAT" in page
    assert "Not included" in page  # Datu 20 GB has no minutes


def test_the_plans_speak_latvian_by_default_and_russian_with_the_readers_money_format() -> None:
    latvian = Client().get("/plans/").content.decode()
    assert "12,09\u00a0€" in latvian
    assert 'lang="lv"' in latvian
    russian = Client().get("/ru/plans/").content.decode()
    assert "12,09\u00a0€" in russian
    assert 'lang="ru"' in russian


def test_two_plans_side_by_side_and_a_wrong_choice_kept_with_a_clear_message() -> None:
    client = Client()
    page = client.get("/en/plans/compare/?for=private&plan=privats-10&plan=privats-bezlimits").content.decode()
    assert 'data-testid="compare"' in page
    assert page.index("Privāts 10 GB") < page.index("Privāts Bezlimits")  # cheapest first
    assert "No fixed term" in page

    one = client.get("/en/plans/compare/?for=private&plan=privats-10&plan=no-such-plan")
    assert one.status_code == 400
    text = one.content.decode()
    assert "Choose two to 4 plans to compare." in text
    assert 'value="privats-10" id="compare-privats-10" checked' in text  # the choice is kept


def test_the_catalogue_not_answering_says_so_instead_of_an_empty_list(settings: Any) -> None:
    settings.CATALOGUE_API_URL = f"http://127.0.0.1:{closed_port()}/productCatalogManagement/v4/"
    response = Client().get("/en/plans/")
    assert response.status_code == 503
    assert "The operator's catalogue does not answer just now." in response.content.decode()


def test_welcome_offers_to_new_customers_are_shown_with_the_plans_they_come_with() -> None:
    from selfcare.customers.models import Segment
    from selfcare.customers.tests.factories import tariff_plan
    from selfcare.offers.models import OfferStatus
    from selfcare.offers.tests.factories import offer

    everyone = offer(welcome_days=30, for_company=False, title_en="Welcome: 10 GB")
    big_only = offer(
        welcome_days=14,
        for_private=False,
        title_en="Welcome: a free router",
        tariff_plans=[tariff_plan(code="bizness-eiropa-15", segment=Segment.BUSINESS)],
    )
    offer(title_en="For everyone, not a welcome")  # an offer to existing customers is not advertised here
    offer(welcome_days=30, status=OfferStatus.PAUSED, title_en="Paused welcome")

    private = Client().get("/en/plans/").content.decode()
    assert 'data-testid="welcome-offers"' in private
    assert "Welcome: 10 GB" in private
    assert "Claim it in the portal within 30 days of your new connection's activation." in private
    assert "With every plan." in private
    assert 'data-testid="plan-privats-10-welcome"' in private  # on each plan's card too
    assert "Welcome: a free router" not in private  # a company's offer
    assert "For everyone, not a welcome" not in private
    assert "Paused welcome" not in private

    business = Client().get("/en/plans/?for=business").content.decode()
    assert f'data-testid="welcome-{big_only.slug}"' in business
    assert "With these plans: Bizness Eiropa 15 GB" in business
    assert 'data-testid="plan-bizness-eiropa-15-welcome"' in business
    assert 'data-testid="plan-bizness-eiropa-5-welcome"' not in business
    assert f'data-testid="welcome-{everyone.slug}"' not in business

    compared = Client().get("/en/plans/compare/?for=business&plan=bizness-eiropa-5&plan=bizness-eiropa-15")
    row = compared.content.decode().split("Welcome gift</th>")[1].split("</tr>")[0]
    assert row == "<td>—</td><td>Welcome: a free router</td>"
