"""The operator's events reach our callback signed; a bad signature or an order not ours changes nothing."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from typing import Any

import pytest
from django.test import Client

from selfcare.access.contexts import ContextKind
from selfcare.access.policy import OrderRoute
from selfcare.orders.config import DEMO_CALLBACK_SECRET
from selfcare.orders.models import Order, OrderKind, OrderState
from selfcare.orders.services import OrderRequest, order_place
from selfcare.orders.tests.scene import scene

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tmf")]


def _event(order_id: str, external_id: str, state: str) -> bytes:
    order = {"id": order_id, "externalId": external_id, "state": state, "productOrderItem": []}
    return json.dumps({"eventType": "ProductOrderStateChangeEvent", "event": {"productOrder": order}}).encode()


def _post(client: Client, body: bytes, secret: str = DEMO_CALLBACK_SECRET) -> Any:
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return client.post("/orders/callback/", body, content_type="application/json", HTTP_X_SIGNATURE=signature)


def _placed() -> tuple[Order, Any]:
    world = scene()
    order = order_place(
        request=None,
        identity=world.main_user,
        context=world.context(world.main_user, ContextKind.COMPANY),
        route=OrderRoute.DIRECT,
        connections=[world.company_numbers[1]],
        wanted=OrderRequest(OrderKind.BAR, "bar-premium-numbers"),
    )
    return order, world.company_numbers[1]


def test_a_signed_event_for_our_order_completes_it(client: Client) -> None:
    order, number = _placed()
    response = _post(client, _event(order.external_id, str(order.pk), "completed"))
    assert response.status_code == 204
    order.refresh_from_db()
    number.refresh_from_db()
    assert order.state == OrderState.COMPLETED
    assert number.barrings == ["bar-premium-numbers"]


def test_an_event_with_a_bad_signature_is_refused_and_changes_nothing(client: Client) -> None:
    order, number = _placed()
    response = _post(client, _event(order.external_id, str(order.pk), "completed"), secret="someone-elses-secret")
    assert response.status_code == 401
    order.refresh_from_db()
    number.refresh_from_db()
    assert order.state == OrderState.ACKNOWLEDGED
    assert number.barrings == []


def test_an_unsigned_event_is_refused(client: Client) -> None:
    order, _ = _placed()
    body = _event(order.external_id, str(order.pk), "completed")
    response = client.post("/orders/callback/", body, content_type="application/json")
    assert response.status_code == 401


def test_an_event_for_an_order_not_ours_is_refused(client: Client) -> None:
    order, number = _placed()
    # Someone else's order at the operator, or our id paired with another operator order: neither is believed.
    assert _post(client, _event("another-operator-order", str(order.pk), "completed")).status_code == 404
    assert _post(client, _event(order.external_id, str(uuid.uuid4()), "completed")).status_code == 404
    order.refresh_from_db()
    number.refresh_from_db()
    assert order.state == OrderState.ACKNOWLEDGED
    assert number.barrings == []


def test_a_replayed_event_after_completion_changes_nothing(client: Client) -> None:
    order, _number = _placed()
    assert _post(client, _event(order.external_id, str(order.pk), "completed")).status_code == 204
    assert _post(client, _event(order.external_id, str(order.pk), "failed")).status_code == 204
    order.refresh_from_db()
    assert order.state == OrderState.COMPLETED


def test_a_body_that_is_not_an_order_event_is_refused(client: Client) -> None:
    assert _post(client, b'{"hello": 1}').status_code == 400
