"""The spend cap page and the costs page: who may see and set them, what is saved and audited, bad input kept."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from selfcare.access.tests import factories as people
from selfcare.audit.models import AuditEvent
from selfcare.customers.models import Company, Connection
from selfcare.customers.tests import factories
from selfcare.identity.models import DigitalIdentity
from selfcare.spend.models import SpendAlert, SpendCap
from selfcare.spend.tests.factories import MB, priced_connection
from selfcare.usage.models import Kind, OutOfBundleRate, Zone
from selfcare.usage.tests.helpers import feed, row

pytestmark = pytest.mark.django_db


def _client(identity: DigitalIdentity) -> Client:
    client = Client()
    client.force_login(identity.user)
    return client


Alfa = tuple[Company, Connection, DigitalIdentity, DigitalIdentity]  # the company, its connection, Anna, Pēteris


@pytest.fixture
def alfa() -> Alfa:
    company = factories.company(name="SIA Alfa")
    connection = priced_connection(account=factories.business_account(company=company), cost_centre="Sales")
    anna = people.person("15038512346", "ANNA")
    peteris = people.person("22079018761", "PĒTERIS")
    people.mandate(company, anna)
    people.binding(connection, peteris)
    return company, connection, anna, peteris


def _form(**overrides: str) -> dict[str, str]:
    return {
        "amount": "20",
        "first_threshold": "70",
        "second_threshold": "100",
        "tell_user": "on",
    } | overrides


def test_the_main_user_sets_a_20_euro_cap_with_an_alert_at_70_percent_and_it_is_audited(alfa: Alfa) -> None:
    company, connection, anna, _peteris = alfa
    url = f"/en/acting/company-{company.pk}/connections/{connection.pk}/spend-cap/"
    response = _client(anna).post(url, _form(extra_recipients="26 123 456\nfinance@alfa.example"))
    assert response.status_code == 302
    cap = SpendCap.objects.get(connection=connection)
    assert (cap.amount, cap.thresholds, cap.data_alert) == (Decimal("20.00"), [70, 100], False)
    assert cap.extra_recipients == ["+37126123456", "finance@alfa.example"]
    assert cap.set_by == anna
    assert AuditEvent.objects.filter(action="spend:cap:set", identity=anna, context=f"company-{company.pk}").exists()
    page = _client(anna).get(url).content.decode()
    assert 'value="20.00"' in page
    detail = _client(anna).get(f"/en/acting/company-{company.pk}/connections/{connection.pk}/").content.decode()
    assert url in detail


def test_bad_input_is_refused_with_a_clear_message_and_keeps_what_was_typed(alfa: Alfa) -> None:
    company, connection, anna, _peteris = alfa
    url = f"/en/acting/company-{company.pk}/connections/{connection.pk}/spend-cap/"
    response = _client(anna).post(url, _form(amount="twenty", extra_recipients="not a number"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "The cap must be an amount in euros" in page
    assert 'value="twenty"' in page
    assert not SpendCap.objects.exists()
    response = _client(anna).post(url, _form(extra_recipients="a@b.example\nc@d.example\ne@f.example\n26123456"))
    assert "at most three" in response.content.decode()
    response = _client(anna).post(url, _form(first_threshold="170"))
    assert "whole percentages from 1 to 100" in response.content.decode()
    assert not SpendCap.objects.exists()


def test_a_cap_set_below_what_is_already_spent_alerts_at_once(alfa: Alfa) -> None:
    company, connection, anna, _peteris = alfa
    feed(row(connection.msisdn, 150 * MB, _this_cycle()))  # 5.00 € so far
    url = f"/en/acting/company-{company.pk}/connections/{connection.pk}/spend-cap/"
    _client(anna).post(url, _form(amount="4"))
    assert sorted(SpendAlert.objects.filter(connection=connection).values_list("threshold", flat=True)) == [70, 100]


def test_an_employee_another_company_and_a_stranger_cannot_see_or_set_the_cap(alfa: Alfa) -> None:
    company, connection, _anna, peteris = alfa
    beta = factories.company(name="SIA Beta")
    boss = people.person("32579104511", "LĪGA")
    people.mandate(beta, boss)
    for identity, context in ((peteris, f"work-{company.pk}"), (boss, f"company-{beta.pk}")):
        url = f"/en/acting/{context}/connections/{connection.pk}/spend-cap/"
        assert _client(identity).get(url).status_code == 404
        assert _client(identity).post(url, _form()).status_code == 404
        assert _client(identity).post(url + "remove/").status_code == 404
    assert _client(peteris).get(f"/en/acting/work-{company.pk}/costs/").status_code == 404
    assert connection.msisdn[4:] not in _client(boss).get(f"/en/acting/company-{beta.pk}/costs/").content.decode()
    assert Client().get(f"/en/acting/company-{company.pk}/costs/").status_code == 302
    assert not SpendCap.objects.exists()


def test_the_costs_page_shows_each_connections_fee_and_extra_charges_per_cost_centre(alfa: Alfa) -> None:
    company, connection, anna, _peteris = alfa
    feed(row(connection.msisdn, 150 * MB, _this_cycle()))  # 50 MB beyond the bundle: 5.00 €
    page = _client(anna).get(f"/en/acting/company-{company.pk}/costs/").content.decode()
    assert "€5.00" in page
    assert "€20.99" in page  # 15.99 € fee + 5.00 €
    assert "Sales" in page
    assert AuditEvent.objects.filter(action="portal:spend:costs", identity=anna).exists()


def test_the_main_user_removes_the_cap(alfa: Alfa) -> None:
    company, connection, anna, _peteris = alfa
    SpendCap.objects.create(connection=connection, amount=Decimal("5"), thresholds=[100])
    url = f"/en/acting/company-{company.pk}/connections/{connection.pk}/spend-cap/remove/"
    assert _client(anna).post(url).status_code == 302
    assert not SpendCap.objects.exists()
    assert AuditEvent.objects.filter(action="spend:cap:remove", identity=anna).exists()


def _this_cycle() -> str:
    """A minute ago: in the current cycle (the suite's clock moments are never in a cycle's first minute)."""
    return (timezone.now().replace(microsecond=0) - datetime.timedelta(minutes=1)).isoformat()


def test_the_cap_page_lists_what_extra_use_costs_per_zone_in_the_readers_format(alfa: Alfa) -> None:
    company, connection, anna, _peteris = alfa
    plan = connection.tariff_plan
    for kind, zone, price, per in (
        (Kind.VOICE, Zone.DOMESTIC, "0.0450", 60),
        (Kind.DATA, Zone.WORLD_2, "0.2500", MB),
        (Kind.DATA, Zone.WORLD, "0.5000", MB),
    ):
        OutOfBundleRate.objects.create(plan=plan, kind=kind, zone=zone, price=Decimal(price), per=per)
    url = f"/acting/company-{company.pk}/connections/{connection.pk}/spend-cap/"  # Latvian, the default
    page = _client(anna).get(url).content.decode()
    rows = {zone: re.search(rf'<tr data-zone="{zone}">(.*?)</tr>', page, re.DOTALL) for zone in Zone.values}
    # Words as read (split() also takes the no-break space between an amount and its €).
    text = {zone: " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split()) for zone, found in rows.items() if found}
    assert text[Zone.DOMESTIC] == "Latvija 0,10 € par 1 MB 0,045 € par 1 min —"
    assert text[Zone.EU] == "ES/EEZ — 0,045 € par 1 min —"  # calls in the EU cost as at home
    assert text[Zone.WORLD_1].endswith("0,50 € par 1 MB — —")  # no rate of its own: the rest of the world's
    assert "CH, FO, GB" in text[Zone.WORLD_1]
    assert text[Zone.WORLD_2] == "Pasaules 2. zona CA, US 0,25 € par 1 MB — —"


def test_a_plan_that_charges_for_nothing_lists_no_prices(alfa: Alfa) -> None:
    company, connection, anna, _peteris = alfa
    OutOfBundleRate.objects.filter(plan=connection.tariff_plan).delete()
    url = f"/en/acting/company-{company.pk}/connections/{connection.pk}/spend-cap/"
    assert 'data-testid="out-of-bundle-prices"' not in _client(anna).get(url).content.decode()
