"""A replacement SIM card posted to an address in Latvia: the address checked field by field, the price confirmed,
the SIM counted as changed only when the operator completes the order; the same through the app API."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from selfcare.access.contexts import ContextKind
from selfcare.access.policy import OrderRoute
from selfcare.channels.tests import oidc
from selfcare.channels.tests.test_api import token_for
from selfcare.identity.models import DigitalIdentity
from selfcare.orders.models import Order, OrderKind, OrderState
from selfcare.orders.services import OrderRequest, delivery_address, order_follow_up, order_place
from selfcare.orders.tests.scene import Scene, scene

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tmf")]

ADDRESS = {"recipient": "Anna Bērziņa", "street": "Brīvības iela 1 - 7", "city": "Rīga", "postcode": "lv 1010"}


def _client(identity: DigitalIdentity) -> Client:
    client = Client()
    client.force_login(identity.user)
    return client


def test_the_address_is_checked_field_by_field_and_the_postcode_written_as_the_post_writes_it() -> None:
    assert delivery_address(ADDRESS)["deliveryPostcode"] == "LV-1010"
    assert delivery_address({**ADDRESS, "postcode": "1010"})["deliveryPostcode"] == "LV-1010"
    with pytest.raises(ValidationError) as refused:
        delivery_address({"recipient": "A", "street": "  ", "city": "Rīga", "postcode": "EE-10115"})
    assert set(refused.value.message_dict) == {"recipient", "street", "postcode"}


def test_the_sim_counts_as_changed_only_when_the_operator_completes_the_order() -> None:
    world = scene()
    number = world.company_numbers[1]
    order = order_place(
        request=None,
        identity=world.main_user,
        context=world.context(world.main_user, ContextKind.COMPANY),
        route=OrderRoute.DIRECT,
        connections=[number],
        wanted=OrderRequest(OrderKind.SIM_REPLACE, values=ADDRESS),
    )
    item = order.items.get()
    assert item.offering == "sim-replacement"
    assert item.characteristics["deliveryStreet"] == "Brīvības iela 1 - 7"
    assert item.price is not None
    assert item.price > 0
    number.refresh_from_db()
    assert number.sim_changed_at is None
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=10), tick=False):
        order = order_follow_up(order, force=True)
    assert order.state == OrderState.COMPLETED
    number.refresh_from_db()
    assert number.sim_changed_at is not None


def test_a_bad_address_is_shown_at_its_fields_with_what_was_typed_and_a_good_one_is_confirmed_with_its_price() -> None:
    world = scene()
    main = _client(world.main_user)
    url = f"/en/acting/company-{world.work_number.account.company_id}/connections/{world.company_numbers[1].pk}/order/"
    refused = main.post(url, {"kind": "sim_replace", **ADDRESS, "postcode": "12345"})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Write a Latvian postcode, for example LV-1010." in page
    assert 'value="Brīvības iela 1 - 7"' in page  # nothing typed is lost
    assert 'aria-invalid="true"' in page
    assert not Order.objects.exists()

    confirm = main.post(url, {"kind": "sim_replace", **ADDRESS}).content.decode()
    assert "Anna Bērziņa, Brīvības iela 1 - 7, Rīga, LV-1010" in confirm
    assert "€3.00" in confirm
    assert not Order.objects.exists()
    done = main.post(url, {"kind": "sim_replace", **ADDRESS, "confirm": "yes", "idempotency_key": "sim-1"})
    assert done.status_code == 302
    order = Order.objects.get()
    assert order.items.get().characteristics["deliveryPostcode"] == "LV-1010"
    detail = main.get(done["Location"]).content.decode()
    assert "Delivered to" in detail


def test_an_employee_asks_for_a_new_sim_and_the_main_user_decides() -> None:
    world = scene()
    url = f"/en/acting/work-{world.work_number.account.company_id}/connections/{world.work_number.pk}/order/"
    response = _client(world.employee).post(url, {"kind": "sim_replace", **ADDRESS, "confirm": "yes"})
    assert response.status_code == 302
    assert Order.objects.get().state == OrderState.REQUESTED


def _place(world: Scene, token: str, body: dict[str, Any]) -> Any:
    return Client().post(
        f"/api/v1/contexts/company-{world.work_number.account.company_id}/orders",
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": json.dumps(body)[:90]},
    )


def test_the_app_orders_a_replacement_sim_with_its_address_and_a_bad_one_is_refused_by_field() -> None:
    world = scene()
    oidc.app()
    token = token_for(world.main_user, "openid profile connections orders")
    body: dict[str, Any] = {"kind": "sim_replace", "connections": [world.company_numbers[1].pk]}
    refused = _place(world, token, {**body, "deliveryAddress": {**ADDRESS, "city": ""}})
    assert refused.status_code == 422
    assert "city" in refused.content.decode()
    placed = _place(world, token, {**body, "deliveryAddress": ADDRESS})
    assert placed.status_code == 201, placed.content
    assert json.loads(placed.content)["items"][0]["characteristics"]["deliveryCity"] == "Rīga"
