"""The order pages: every action × the contexts that may and may not take it, confirmation with the price,
one-step SIM block, bulk, requests approved by the main user, and the eSIM code as QR and text."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from selfcare.customers.models import SimState
from selfcare.identity.models import DigitalIdentity
from selfcare.orders.models import Order, OrderKind, OrderState
from selfcare.orders.tests.scene import Scene, scene
from selfcare.portal import orders as pages

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tmf")]


def _client(identity: DigitalIdentity) -> Client:
    client = Client()
    client.force_login(identity.user)
    return client


def _company(world: Scene) -> str:
    return f"company-{world.work_number.account.company_id}"


def _work(world: Scene) -> str:
    return f"work-{world.work_number.account.company_id}"


# kind, POST data (confirmed), what a private customer / main user / employee gets: "direct", "request" or 404.
ACTIONS: list[tuple[str, dict[str, str], str, str, str]] = [
    (OrderKind.PLAN, {"offering": "bizness-eiropa-15"}, "direct", "direct", "request"),
    (OrderKind.PACK_ADD, {"offering": "pack-roaming-world-1gb"}, "direct", "direct", "request"),
    (OrderKind.BAR, {"offering": "bar-premium-numbers"}, "direct", "direct", "request"),
    (OrderKind.SIM_BLOCK, {"reason": "lost"}, "direct", "direct", "direct"),
    (OrderKind.ESIM, {}, "direct", "direct", "request"),
    (OrderKind.LABEL, {"user_label": "Noliktava", "cost_centre": "CC-7"}, "404", "direct", "404"),
    (OrderKind.SUSPEND, {"months": "3"}, "direct", "direct", "request"),
]


def _post(client: Client, context: str, connection_id: int, kind: str, data: dict[str, str]) -> Any:
    url = f"/en/acting/{context}/connections/{connection_id}/order/"
    return client.post(url, {"kind": kind, "confirm": "yes", **data})


@pytest.mark.parametrize(("kind", "data", "private", "main_user", "employee"), ACTIONS)
def test_each_action_goes_as_its_context_allows(
    kind: str, data: dict[str, str], private: str, main_user: str, employee: str
) -> None:
    world = scene()
    private_data = dict(data)
    if kind == OrderKind.PLAN:
        private_data["offering"] = "privats-bezlimits"
    cases = [
        (world.private, "private", world.private_number, private, private_data),
        (world.main_user, _company(world), world.company_numbers[1], main_user, data),
        (world.employee, _work(world), world.work_number, employee, data),
    ]
    for identity, context, connection, expected, sent in cases:
        before = Order.objects.count()
        response = _post(_client(identity), context, connection.pk, kind, sent)
        if expected == "404":
            assert response.status_code == 404, (context, kind)
            assert Order.objects.count() == before
            continue
        assert response.status_code == 302, (context, kind, response.content[:500])
        order = Order.objects.latest("created_at")
        assert order.kind == kind
        assert (order.state == OrderState.REQUESTED) == (expected == "request"), (context, kind, order.state)


@pytest.mark.parametrize(("kind", "data"), [(a[0], a[1]) for a in ACTIONS])
def test_no_one_orders_on_a_number_that_is_not_theirs(kind: str, data: dict[str, str]) -> None:
    world = scene()
    company = _company(world)
    # The main user on another company's number, the employee on a colleague's, a stranger anywhere.
    assert _post(_client(world.main_user), company, world.other_company_number.pk, kind, data).status_code == 404
    assert _post(_client(world.employee), _work(world), world.company_numbers[1].pk, kind, data).status_code == 404
    assert _post(_client(world.stranger), company, world.company_numbers[1].pk, kind, data).status_code == 404
    assert _post(_client(world.private), "private", world.company_numbers[1].pk, kind, data).status_code == 404
    assert Order.objects.count() == 0


def test_anonymous_is_sent_to_log_in_and_orders_nothing() -> None:
    world = scene()
    response = _post(Client(), _company(world), world.company_numbers[1].pk, OrderKind.BAR, {"offering": "x"})
    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert Order.objects.count() == 0


def test_a_pack_shows_its_price_before_it_is_ordered() -> None:
    world = scene()
    client = _client(world.main_user)
    url = f"/en/acting/{_company(world)}/connections/{world.company_numbers[1].pk}/order/"
    response = client.post(url, {"kind": "pack_add", "offering": "pack-roaming-world-1gb", "idempotency_key": "k1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "€9.99" in html  # money as an English reader writes it
    assert "Roaming World 1 GB" in html
    assert Order.objects.count() == 0
    client.post(
        url, {"kind": "pack_add", "offering": "pack-roaming-world-1gb", "idempotency_key": "k1", "confirm": "yes"}
    )
    client.post(
        url, {"kind": "pack_add", "offering": "pack-roaming-world-1gb", "idempotency_key": "k1", "confirm": "yes"}
    )
    assert Order.objects.count() == 1


def test_a_lost_sim_is_blocked_in_one_step_and_shown_blocked_once_completed() -> None:
    world = scene()
    client = _client(world.employee)
    url = f"/en/acting/{_work(world)}/connections/{world.work_number.pk}/order/"
    response = client.post(url, {"kind": "sim_block", "reason": "lost"})
    assert response.status_code == 302
    order = Order.objects.get()
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=60), tick=False):
        page = client.get(response["Location"]).content.decode()
    assert 'data-testid="state"' in page
    order.refresh_from_db()
    assert order.state == OrderState.COMPLETED
    world.work_number.refresh_from_db()
    assert world.work_number.sim_state == SimState.LOST


def test_the_main_user_approves_an_employees_request_and_the_employee_sees_it_active() -> None:
    world = scene()
    employee = _client(world.employee)
    url = f"/en/acting/{_work(world)}/connections/{world.work_number.pk}/order/"
    employee.post(url, {"kind": "pack_add", "offering": "pack-roaming-world-1gb", "confirm": "yes"})
    order = Order.objects.get()
    assert order.state == OrderState.REQUESTED
    main = _client(world.main_user)
    listing = main.get(f"/en/acting/{_company(world)}/orders/").content.decode()
    assert "Pēteris Ozols asks" in listing
    # The employee cannot decide their own request.
    decide = f"/en/acting/{_work(world)}/orders/{order.pk}/decide/"
    assert employee.post(decide, {"decision": "approve"}).status_code == 404
    main.post(f"/en/acting/{_company(world)}/orders/{order.pk}/decide/", {"decision": "approve"})
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=60), tick=False):
        employee.get(f"/en/acting/{_work(world)}/orders/{order.pk}/")
    page = employee.get(f"/en/acting/{_work(world)}/connections/{world.work_number.pk}/").content.decode()
    assert "Roaming World 1 GB" in page


def test_orders_of_another_company_are_not_found() -> None:
    world = scene()
    client = _client(world.main_user)
    url = f"/en/acting/{_company(world)}/connections/{world.company_numbers[1].pk}/order/"
    client.post(url, {"kind": "bar", "offering": "bar-premium-numbers"})
    order = Order.objects.get()
    assert _client(world.private).get(f"/en/acting/private/orders/{order.pk}/").status_code == 404
    assert _client(world.stranger).get(f"/en/acting/{_company(world)}/orders/{order.pk}/").status_code == 404
    # The employee sees orders on their own number only.
    assert _client(world.employee).get(f"/en/acting/{_work(world)}/orders/{order.pk}/").status_code == 404


def test_bulk_bars_roaming_on_many_numbers_in_one_order() -> None:
    world = scene(numbers=40)
    client = _client(world.main_user)
    ids = [str(c.pk) for c in world.company_numbers]
    url = f"/en/acting/{_company(world)}/orders/bulk/"
    data = {"kind": "bar", "offering": "bar-roaming-outside-eu", "ids": ids, "idempotency_key": "bulk-1"}
    confirm = client.post(url, data)
    assert confirm.status_code == 200
    assert 'data-testid="confirm-count">40<' in confirm.content.decode()
    response = client.post(url, {**data, "confirm": "yes"})
    assert response.status_code == 302
    assert Order.objects.get().items.count() == 40
    # A number of another company slipped into the selection: nothing is ordered.
    other = {**data, "ids": [*ids, str(world.other_company_number.pk)], "idempotency_key": "bulk-2", "confirm": "yes"}
    assert client.post(url, other).status_code == 404
    assert Order.objects.count() == 1
    assert _client(world.employee).get(f"/en/acting/{_work(world)}/orders/bulk/").status_code == 404


def test_an_esim_order_shows_the_activation_code_as_qr_and_text() -> None:
    world = scene()
    client = _client(world.private)
    url = f"/en/acting/private/connections/{world.private_number.pk}/order/"
    response = client.post(url, {"kind": "esim", "confirm": "yes"})
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=60), tick=False):
        page = client.get(response["Location"]).content.decode()
    assert 'data-testid="esim-qr"' in page
    assert "<svg" in page
    assert "LPA:1$rsp.simulator.selfcare.test$" in page


def test_the_manage_page_offers_plans_of_the_accounts_kind_only() -> None:
    world = scene()
    page = _client(world.private).get(f"/en/acting/private/connections/{world.private_number.pk}/manage/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Privāts Bezlimits" in html
    assert "Bizness Eiropa" not in html
    company = _client(world.main_user).get(
        f"/en/acting/{_company(world)}/connections/{world.company_numbers[1].pk}/manage/"
    )
    assert "Bizness Eiropa 15 GB" in company.content.decode()
    assert "Privāts" not in company.content.decode()


def test_a_big_company_finds_numbers_by_cost_centre_pages_through_them_and_takes_all_found() -> None:
    world = scene(numbers=130)
    for connection in world.company_numbers[:120]:
        connection.cost_centre = "CC-SALES"
        connection.save(update_fields=["cost_centre"])
    client = _client(world.main_user)
    url = f"/en/acting/{_company(world)}/orders/bulk/"
    first = client.get(url, {"q": "cc-sales"}).content.decode()
    assert "120 numbers found" in first
    assert first.count('data-testid="pick"') == 100  # a page at a time
    assert "Page 1 of 2" in first
    assert client.get(url, {"q": "cc-sales", "page": "2"}).content.decode().count('data-testid="pick"') == 20

    data = {"kind": "bar", "offering": "bar-roaming-outside-eu", "q": "CC-SALES", "scope": "found"}
    confirm = client.post(url, {**data, "idempotency_key": "all-found"})
    assert 'data-testid="confirm-count">120<' in confirm.content.decode()
    done = client.post(url, {**data, "idempotency_key": "all-found", "confirm": "yes"})
    assert done.status_code == 302
    order = Order.objects.get()
    assert order.items.count() == 120
    assert all(item.connection.cost_centre == "CC-SALES" for item in order.items.select_related("connection"))


def test_taking_all_found_beyond_one_orders_limit_says_to_narrow_the_search(monkeypatch: Any) -> None:
    world = scene(numbers=4)
    client = _client(world.main_user)
    url = f"/en/acting/{_company(world)}/orders/bulk/"
    monkeypatch.setattr(pages, "MAX_ITEMS", 3)  # the limit is 500; four numbers show the same rule
    response = client.post(url, {"kind": "bar", "offering": "bar-roaming-outside-eu", "scope": "found"})
    assert response.status_code == 200
    assert "The search found 4 numbers; one order takes at most 3. Narrow it." in response.content.decode()
    assert not Order.objects.exists()
