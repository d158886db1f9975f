"""Barring chargeable services at 100 % of a cap, when its owner chose it: placed once per cycle through the order
interface (the real client against the TMF622 simulator), told, and lifted when the next cycle starts, the cap is
raised or the owner lifts it by hand."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from selfcare.access.contexts import Context, ContextKind, contexts_of
from selfcare.access.tests import factories as people
from selfcare.audit.models import AuditEvent
from selfcare.binding.models import SmsMessage
from selfcare.customers.models import Connection
from selfcare.customers.tests import factories
from selfcare.identity.models import DigitalIdentity
from selfcare.orders.models import Order, OrderKind, OrderState
from selfcare.orders.services import order_follow_up
from selfcare.security.models import NotificationContact
from selfcare.spend.barring import barrings_follow_up, lift_by_hand
from selfcare.spend.models import AtCap, CapBarring, LiftReason
from selfcare.spend.services import CapRequest, cap_remove, cap_set
from selfcare.spend.tests.factories import MB, cap, priced_connection
from selfcare.tests.clock import at, riga
from selfcare.usage.tests.helpers import feed, row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tmf")]
Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]
NOW = riga(2026, 3, 20)
OFFERING = "bar-chargeable-services"
World = tuple[Connection, DigitalIdentity, DigitalIdentity]  # the number, Anna (main user), Pēteris (its user)


@pytest.fixture
def world() -> World:
    company = factories.company(name="SIA Alfa")
    number = priced_connection(account=factories.business_account(company=company), msisdn="+37126500001")
    anna = people.person("15038512346", "ANNA")
    peteris = people.person("22079018761", "PĒTERIS")
    # In force at the tests' pinned clock (2026), whatever today is.
    people.mandate(company, anna, valid_from=datetime.date(2026, 1, 1), valid_until=datetime.date(2027, 12, 31))
    people.binding(number, peteris)
    return number, anna, peteris


def _barring_cap(number: Connection, owner: DigitalIdentity, amount: str = "1") -> None:
    cap(number, amount, thresholds=[100], data_alert=False, at_cap=AtCap.BAR, set_by=owner)


def _complete(order: Order, moment: datetime.datetime) -> Order:
    """Ask the operator (the simulator) about the order after it has had its time (SIMULATOR_TMF_ORDER_SECONDS)."""
    with at(moment + datetime.timedelta(seconds=10)):
        return order_follow_up(order, force=True)


def _company_context(identity: DigitalIdentity) -> Context:
    """The company context as it is at the tests' pinned moment: the mandate ends before some of the suite's
    travelled clocks (`make test-dates`), so it is read at NOW, not today."""
    with at(NOW):
        return next(c for c in contexts_of(identity) if c.kind == ContextKind.COMPANY)


def _barred(number: Connection) -> bool:
    number.refresh_from_db()
    return OFFERING in number.barrings


def _texts(msisdn: str) -> list[str]:
    return list(SmsMessage.objects.filter(to=msisdn).order_by("pk").values_list("text", flat=True))


def test_one_event_that_reaches_the_cap_bars_chargeable_services_and_tells_the_user_and_the_main_user(
    world: World, django_capture_on_commit_callbacks: Capture, mailoutbox: list[Any]
) -> None:
    number, anna, _peteris = world
    NotificationContact.objects.create(identity=anna, email="anna@alfa.example")
    _barring_cap(number, anna)
    with at(NOW), django_capture_on_commit_callbacks(execute=True):
        feed(row(number.msisdn, 110 * MB, riga(2026, 3, 10)))  # 1 € beyond the bundle: the cap reached
    barring = CapBarring.objects.get(connection=number)
    order = Order.objects.get(kind=OrderKind.CAP_BAR)
    assert barring.bar_order == order
    assert (order.ordered_by, order.state, order.context) == (anna, OrderState.ACKNOWLEDGED, barring_context(number))
    assert order.external_id  # at the operator
    assert list(order.items.values_list("connection", "action", "offering")) == [(number.pk, "add", OFFERING)]
    assert AuditEvent.objects.filter(action="spend:barring:place", object_id=str(barring.pk)).exists()
    assert not _barred(number)  # only what the operator reports changes the connection
    _complete(order, NOW)
    assert _barred(number)
    with at(NOW + datetime.timedelta(minutes=1)), django_capture_on_commit_callbacks(execute=True):
        barrings_follow_up()
        barrings_follow_up()  # told once
    told = [text for text in _texts(number.msisdn) if "1.04.2026" in text]  # until the new cycle starts (in lv)
    assert len(told) == 1
    assert "1,00" in told[0]
    mails = [mail for mail in mailoutbox if "1.04.2026" in mail.body]
    assert [mail.to for mail in mails] == [["anna@alfa.example"]]


def barring_context(number: Connection) -> str:
    return f"company-{number.account.company_id}"


def test_late_repeated_and_replayed_events_place_one_barring_order_in_a_cycle(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    number, anna, _peteris = world
    _barring_cap(number, anna)
    events = [row(number.msisdn, 115 * MB, riga(2026, 3, 12), key="e1")]
    with at(NOW), django_capture_on_commit_callbacks(execute=True):
        feed(*events)
        feed(*events)  # the same file again
        feed(row(number.msisdn, 5 * MB, riga(2026, 3, 11)))  # late, but in this cycle: still over the cap
        feed(row(number.msisdn, 5 * MB, riga(2026, 3, 19)))  # more use over the cap
    assert CapBarring.objects.filter(connection=number).count() == 1
    assert Order.objects.filter(kind=OrderKind.CAP_BAR).count() == 1


def test_a_late_event_that_reaches_the_cap_of_an_ended_cycle_bars_nothing(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    number, anna, _peteris = world
    _barring_cap(number, anna)
    with at(riga(2026, 4, 2)), django_capture_on_commit_callbacks(execute=True):
        feed(row(number.msisdn, 120 * MB, riga(2026, 3, 30)))  # March is over: it alerts, it does not bar April
    assert not CapBarring.objects.exists()
    assert not Order.objects.filter(kind=OrderKind.CAP_BAR).exists()


def test_a_cap_that_only_tells_bars_nothing(world: World, django_capture_on_commit_callbacks: Capture) -> None:
    number, anna, _peteris = world
    cap(number, "1", thresholds=[100], data_alert=False, set_by=anna)
    with at(NOW), django_capture_on_commit_callbacks(execute=True):
        feed(row(number.msisdn, 120 * MB, riga(2026, 3, 10)))
    assert not CapBarring.objects.exists()
    assert not Order.objects.filter(kind=OrderKind.CAP_BAR).exists()


def _barred_at_now(number: Connection, anna: DigitalIdentity, capture: Capture) -> CapBarring:
    _barring_cap(number, anna)
    with at(NOW), capture(execute=True):
        feed(row(number.msisdn, 110 * MB, riga(2026, 3, 10)))
    barring = CapBarring.objects.select_related("bar_order").get(connection=number)
    assert barring.bar_order is not None
    _complete(barring.bar_order, NOW)
    with at(NOW + datetime.timedelta(minutes=1)), capture(execute=True):
        barrings_follow_up()
    assert _barred(number)
    return barring


def test_the_barring_is_lifted_when_the_next_cycle_starts_and_the_user_is_told(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    number, anna, _peteris = world
    barring = _barred_at_now(number, anna, django_capture_on_commit_callbacks)
    with at(riga(2026, 3, 31, 23, 59)), django_capture_on_commit_callbacks(execute=True):
        barrings_follow_up()  # the cycle has not ended: nothing to lift
    assert not Order.objects.filter(kind=OrderKind.CAP_LIFT).exists()
    new_cycle = riga(2026, 4, 1, 0, 1)
    with at(new_cycle), django_capture_on_commit_callbacks(execute=True):
        barrings_follow_up()
    lift = Order.objects.get(kind=OrderKind.CAP_LIFT)
    assert list(lift.items.values_list("action", "offering")) == [("delete", OFFERING)]
    assert _barred(number)
    _complete(lift, new_cycle)
    assert not _barred(number)
    before = len(_texts(number.msisdn))
    with at(new_cycle + datetime.timedelta(minutes=1)), django_capture_on_commit_callbacks(execute=True):
        barrings_follow_up()
        barrings_follow_up()
    barring.refresh_from_db()
    assert (barring.lift_reason, barring.closed_at is not None) == (LiftReason.CYCLE, True)
    assert len(_texts(number.msisdn)) == before + 1  # told once that it is lifted


def test_raising_the_cap_above_the_spend_lifts_the_barring(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    number, anna, _peteris = world
    barring = _barred_at_now(number, anna, django_capture_on_commit_callbacks)
    context = _company_context(anna)
    with at(NOW + datetime.timedelta(minutes=5)), django_capture_on_commit_callbacks(execute=True):
        cap_set(
            request=None,
            identity=anna,
            context=context,
            connection=number,
            wanted=CapRequest(amount="5", thresholds=["100"], data_alert=False, at_cap=AtCap.BAR),
        )
    lift = Order.objects.get(kind=OrderKind.CAP_LIFT)
    _complete(lift, NOW + datetime.timedelta(minutes=5))
    assert not _barred(number)
    barring.refresh_from_db()
    assert barring.lift_reason == LiftReason.CAP_RAISED


def test_the_main_user_lifts_the_barring_by_hand_and_it_stays_lifted_for_that_cap(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    number, anna, _peteris = world
    barring = _barred_at_now(number, anna, django_capture_on_commit_callbacks)
    context = _company_context(anna)
    later = NOW + datetime.timedelta(minutes=5)
    with at(later), django_capture_on_commit_callbacks(execute=True):
        assert lift_by_hand(request=None, identity=anna, context=context, connection=number)
    assert AuditEvent.objects.filter(action="spend:barring:lift", identity=anna, object_id=str(barring.pk)).exists()
    _complete(Order.objects.get(kind=OrderKind.CAP_LIFT), later)
    assert not _barred(number)
    with at(later + datetime.timedelta(minutes=1)), django_capture_on_commit_callbacks(execute=True):
        feed(row(number.msisdn, 20 * MB, riga(2026, 3, 20)))  # more use over the same cap: not barred again
        barrings_follow_up()
    assert Order.objects.filter(kind=OrderKind.CAP_BAR).count() == 1


def test_the_connection_page_shows_the_main_user_and_the_numbers_user_that_it_is_barred_and_why(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    number, anna, peteris = world
    _barred_at_now(number, anna, django_capture_on_commit_callbacks)
    company_id = number.account.company_id
    for identity, context in ((anna, f"company-{company_id}"), (peteris, f"work-{company_id}")):
        client = Client()
        client.force_login(identity.user)
        with at(NOW + datetime.timedelta(minutes=2)):
            page = client.get(f"/en/acting/{context}/connections/{number.pk}/").content.decode()
        assert 'data-stage="barred"' in page
        assert "Chargeable services are barred." in page
        assert "reached the monthly cap of" in page


def test_only_the_caps_owner_may_lift_it_by_hand(world: World, django_capture_on_commit_callbacks: Capture) -> None:
    number, anna, peteris = world
    _barred_at_now(number, anna, django_capture_on_commit_callbacks)
    company_id = number.account.company_id
    client = Client()
    client.force_login(peteris.user)
    with at(NOW + datetime.timedelta(minutes=2)):
        response = client.post(f"/en/acting/work-{company_id}/connections/{number.pk}/spend-cap/lift/")
    assert response.status_code == 404
    assert not Order.objects.filter(kind=OrderKind.CAP_LIFT).exists()
    client.force_login(anna.user)
    with at(NOW + datetime.timedelta(minutes=2)), django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/acting/company-{company_id}/connections/{number.pk}/spend-cap/lift/")
    assert response.status_code == 302
    assert Order.objects.filter(kind=OrderKind.CAP_LIFT).count() == 1
    assert settings.SPEND_CAP_BARRING_OFFERING == OFFERING


def test_an_ordinary_unbar_order_cannot_go_around_the_cap(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    number, anna, _peteris = world
    _barred_at_now(number, anna, django_capture_on_commit_callbacks)
    client = Client()
    client.force_login(anna.user)
    with at(NOW + datetime.timedelta(minutes=2)):
        response = client.post(
            f"/en/acting/company-{number.account.company_id}/connections/{number.pk}/order/",
            {"kind": "unbar", "offering": OFFERING, "idempotency_key": "k1"},
            follow=True,
        )
    assert "This barring is lifted on the spend cap page." in response.content.decode()
    assert not Order.objects.filter(kind=OrderKind.UNBAR).exists()
    assert _barred(number)


def test_removing_the_cap_or_switching_it_to_only_tell_lifts_the_barring(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    number, anna, _peteris = world
    barring = _barred_at_now(number, anna, django_capture_on_commit_callbacks)
    context = _company_context(anna)
    with at(NOW + datetime.timedelta(minutes=5)), django_capture_on_commit_callbacks(execute=True):
        cap_set(
            request=None,
            identity=anna,
            context=context,
            connection=number,
            wanted=CapRequest(amount="1", thresholds=["100"], data_alert=False, at_cap=AtCap.TELL),
        )
        cap_remove(request=None, identity=anna, context=context, connection=number)  # nothing more to lift
    barring.refresh_from_db()
    assert barring.lift_reason == LiftReason.CAP_CHANGED
    assert Order.objects.filter(kind=OrderKind.CAP_LIFT).count() == 1
