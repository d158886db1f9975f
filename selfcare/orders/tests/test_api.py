"""Orders through the app API: the same rules as the pages, a scope of their own, and Idempotency-Key."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from selfcare.channels.tests import oidc
from selfcare.channels.tests.test_api import token_for
from selfcare.identity.models import DigitalIdentity
from selfcare.orders.models import Order, OrderState
from selfcare.orders.tests.scene import Scene, scene

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tmf")]
SCOPES = "openid profile connections orders"


def _place(token: str, context: str, body: dict[str, Any], key: str = "k-1") -> Any:
    return Client().post(
        f"/api/v1/contexts/{context}/orders",
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
    )


@pytest.fixture
def world() -> Scene:
    oidc.app()
    return scene()


def _token(identity: DigitalIdentity, scope: str = SCOPES) -> str:
    return token_for(identity, scope)


def test_a_main_user_bars_roaming_on_two_numbers_in_one_order_and_a_repeat_gives_the_same_order(
    world: Scene,
) -> None:
    token = _token(world.main_user)
    context = f"company-{world.work_number.account.company_id}"
    body = {
        "kind": "bar",
        "productOffering": "bar-roaming-outside-eu",
        "connections": [n.pk for n in world.company_numbers[1:3]],
    }
    first = _place(token, context, body)
    assert first.status_code == 201, first.content
    answer = json.loads(first.content)
    assert answer["state"] == OrderState.ACKNOWLEDGED
    assert len(answer["items"]) == 2
    again = _place(token, context, {**body, "connections": [world.company_numbers[1].pk]})
    assert again.status_code == 200
    assert json.loads(again.content)["id"] == answer["id"]
    assert Order.objects.count() == 1
    read = Client().get(answer["href"], headers={"Authorization": f"Bearer {token}"})
    assert json.loads(read.content)["id"] == answer["id"]


def test_placing_needs_an_idempotency_key_and_the_orders_scope(world: Scene) -> None:
    context = f"company-{world.work_number.account.company_id}"
    body = {"kind": "bar", "productOffering": "bar-premium-numbers", "connections": [world.company_numbers[1].pk]}
    assert _place(_token(world.main_user), context, body, key="").status_code == 422
    assert _place(_token(world.main_user, "openid profile connections"), context, body).status_code == 403
    assert Order.objects.count() == 0


def test_an_employee_asks_and_the_main_user_approves_through_the_api(world: Scene) -> None:
    company = world.work_number.account.company_id
    body = {"kind": "pack_add", "productOffering": "pack-roaming-world-1gb", "connections": [world.work_number.pk]}
    asked = _place(_token(world.employee), f"work-{company}", body)
    assert asked.status_code == 201
    order = json.loads(asked.content)
    assert order["state"] == OrderState.REQUESTED
    main = _token(world.main_user)
    decided = Client().post(
        f"/api/v1/contexts/company-{company}/orders/{order['id']}/decision",
        json.dumps({"approve": True}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {main}"},
    )
    assert decided.status_code == 200
    assert json.loads(decided.content)["state"] == OrderState.ACKNOWLEDGED


def test_a_number_of_another_company_is_not_found_and_nothing_is_ordered(world: Scene) -> None:
    context = f"company-{world.work_number.account.company_id}"
    body = {
        "kind": "bar",
        "productOffering": "bar-premium-numbers",
        "connections": [world.company_numbers[1].pk, world.other_company_number.pk],
    }
    assert _place(_token(world.main_user), context, body).status_code == 404
    employee_label = {"kind": "label", "userLabel": "x", "connections": [world.work_number.pk]}
    work = f"work-{world.work_number.account.company_id}"
    assert _place(_token(world.employee), work, employee_label, key="k-2").status_code == 404
    assert Order.objects.count() == 0
