"""A company decides which orders its employees place on their own work number without the main user's approval."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from selfcare.audit.models import AuditEvent
from selfcare.identity.models import DigitalIdentity
from selfcare.orders.models import EmployeeOrderRights, Order, OrderState
from selfcare.orders.tests.scene import Scene, scene

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tmf")]


def _client(identity: DigitalIdentity) -> Client:
    client = Client()
    client.force_login(identity.user)
    return client


def _company_id(world: Scene) -> int:
    company_id = world.work_number.account.company_id
    assert company_id is not None
    return company_id


def _set(client: Client, context: str, actions: list[str]) -> object:
    return client.post(f"/en/acting/{context}/orders/employee-rights/", {"actions": actions})


def _employee_orders_a_pack(world: Scene) -> Order:
    url = f"/en/acting/work-{_company_id(world)}/connections/{world.work_number.pk}/order/"
    response = _client(world.employee).post(
        url, {"kind": "pack_add", "offering": "pack-roaming-world-1gb", "confirm": "yes"}
    )
    assert response.status_code == 302
    return Order.objects.latest("created_at")


def test_by_default_every_change_an_employee_orders_waits_for_the_main_user() -> None:
    world = scene()
    assert _employee_orders_a_pack(world).state == OrderState.REQUESTED


def test_a_change_the_company_allows_goes_straight_to_the_operator_and_the_rest_still_wait() -> None:
    world = scene()
    main = _client(world.main_user)
    page = main.get(f"/en/acting/company-{_company_id(world)}/orders/").content.decode()
    assert "What employees may order themselves" in page

    response = _set(main, f"company-{_company_id(world)}", ["order:pack"])
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert EmployeeOrderRights.objects.get(company_id=_company_id(world)).actions == ["order:pack"]
    assert AuditEvent.objects.filter(action="orders:employee-rights:set", identity=world.main_user).exists()

    order = _employee_orders_a_pack(world)
    assert order.state != OrderState.REQUESTED
    assert order.external_id  # sent to the operator

    manage = _client(world.employee).get(
        f"/en/acting/work-{_company_id(world)}/connections/{world.work_number.pk}/manage/"
    )
    text = manage.content.decode()
    assert "Ask for this plan" in text  # a plan change is still a request
    assert re.search(r'data-testid="pack-add-[^"]+">Add<', text)  # packs are added at once
    assert not re.search(r'data-testid="pack-add-[^"]+">Ask for it<', text)

    _set(main, f"company-{_company_id(world)}", [])  # taken back
    assert _employee_orders_a_pack(world).state == OrderState.REQUESTED


def test_only_the_main_user_sets_it_and_an_unknown_right_changes_nothing() -> None:
    world = scene()
    assert _set(_client(world.employee), f"work-{_company_id(world)}", ["order:pack"]).status_code == 404  # type: ignore[attr-defined]
    assert _set(_client(world.stranger), f"company-{_company_id(world)}", ["order:pack"]).status_code == 404  # type: ignore[attr-defined]
    assert not EmployeeOrderRights.objects.exists()

    main = _client(world.main_user)
    response = _set(main, f"company-{_company_id(world)}", ["order:pack", "order:employee-rights"])
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert not EmployeeOrderRights.objects.exists()
    page = main.get(f"/en/acting/company-{_company_id(world)}/orders/").content.decode()
    assert "Choose among the changes shown." in page
