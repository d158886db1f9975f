"""Orders end to end through the real client and the simulator: placing, following up, completing, failing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine
from django.utils import timezone, translation

from selfcare.access.contexts import ContextKind
from selfcare.access.policy import OrderRoute
from selfcare.audit.models import AuditEvent
from selfcare.binding.models import SmsMessage
from selfcare.customers.models import ConnectionStatus, SimState
from selfcare.orders.models import Order, OrderKind, OrderState
from selfcare.orders.services import OrderRequest, order_decide, order_follow_up, order_place, orders_poll
from selfcare.orders.tests.scene import company_number, scene

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tmf")]


def later(seconds: float) -> Any:
    return time_machine.travel(timezone.now() + datetime.timedelta(seconds=seconds), tick=False)


def test_a_plan_change_reaches_the_connection_only_when_the_operator_completes_it() -> None:
    world = scene()
    number = world.company_numbers[1]
    context = world.context(world.main_user, ContextKind.COMPANY)
    order = order_place(
        request=None,
        identity=world.main_user,
        context=context,
        route=OrderRoute.DIRECT,
        connections=[number],
        wanted=OrderRequest(OrderKind.PLAN, "bizness-eiropa-15"),
    )
    assert order.state == OrderState.ACKNOWLEDGED
    assert order.external_id
    number.refresh_from_db()
    assert number.tariff_plan.code == "bizness-eiropa-5"
    assert AuditEvent.objects.filter(action="orders:order:place", object_id=str(order.pk)).exists()
    with later(2):
        order = order_follow_up(order, force=True)
    assert order.state == OrderState.IN_PROGRESS
    number.refresh_from_db()
    assert number.tariff_plan.code == "bizness-eiropa-5"
    with later(10):
        order = order_follow_up(order, force=True)
    assert order.state == OrderState.COMPLETED
    number.refresh_from_db()
    assert number.tariff_plan.code == "bizness-eiropa-15"
    assert AuditEvent.objects.filter(action="orders:order:completed", object_id=str(order.pk)).exists()


def test_barring_roaming_on_forty_numbers_is_one_order_with_forty_items() -> None:
    world = scene(numbers=40)
    context = world.context(world.main_user, ContextKind.COMPANY)
    order = order_place(
        request=None,
        identity=world.main_user,
        context=context,
        route=OrderRoute.DIRECT,
        connections=world.company_numbers,
        wanted=OrderRequest(OrderKind.BAR, "bar-roaming-outside-eu"),
    )
    assert order.items.count() == 40
    with later(5):
        assert orders_poll() == 1  # asked at placing: not yet due again
        assert Order.objects.get(pk=order.pk).state == OrderState.ACKNOWLEDGED
    with later(40):
        assert orders_poll() == 1
    order.refresh_from_db()
    assert order.state == OrderState.COMPLETED
    for number in world.company_numbers:
        number.refresh_from_db()
        assert number.barrings == ["bar-roaming-outside-eu"]


def test_a_failing_order_leaves_the_connection_as_it_was_and_tells_the_person_why() -> None:
    world = scene()
    failing = company_number(world, "+37125599913")  # the simulator's network element does not answer
    context = world.context(world.main_user, ContextKind.COMPANY)
    order = order_place(
        request=None,
        identity=world.main_user,
        context=context,
        route=OrderRoute.DIRECT,
        connections=[failing],
        wanted=OrderRequest(OrderKind.SIM_BLOCK, values={"reason": SimState.LOST}),
    )
    with later(10):
        order = order_follow_up(order, force=True)
    assert order.state == OrderState.FAILED
    assert order.reason_code == "NETWORK_TIMEOUT"
    with translation.override("en"):
        assert "did not make the change" in order.reason_shown
    failing.refresh_from_db()
    assert failing.sim_state == SimState.ACTIVE


def test_a_slow_order_stays_in_progress_and_changes_nothing_yet() -> None:
    world = scene()
    slow = company_number(world, "+37125599977")  # the simulator's slow provisioning
    context = world.context(world.main_user, ContextKind.COMPANY)
    order = order_place(
        request=None,
        identity=world.main_user,
        context=context,
        route=OrderRoute.DIRECT,
        connections=[slow],
        wanted=OrderRequest(OrderKind.SUSPEND, values={"months": 2}),
    )
    with later(60):
        order = order_follow_up(order, force=True)
    assert order.state == OrderState.IN_PROGRESS
    slow.refresh_from_db()
    assert slow.status == ConnectionStatus.ACTIVE
    with later(700):
        order = order_follow_up(order, force=True)
    assert order.state == OrderState.COMPLETED
    slow.refresh_from_db()
    assert slow.status == ConnectionStatus.SUSPENDED
    assert slow.suspended_until is not None


def test_an_order_the_operator_rejects_is_rejected_with_the_reason() -> None:
    world = scene()
    refused = company_number(world, "+37125599966")  # the simulator: a contract change in progress
    context = world.context(world.main_user, ContextKind.COMPANY)
    order = order_place(
        request=None,
        identity=world.main_user,
        context=context,
        route=OrderRoute.DIRECT,
        connections=[refused],
        wanted=OrderRequest(OrderKind.PACK_ADD, "pack-roaming-world-1gb"),
    )
    assert order.state == OrderState.REJECTED
    assert order.reason_code == "CONTRACT_CHANGE_PENDING"
    with translation.override("en"):
        assert order.reason_shown == "The number has another change in progress. Please order again when it is done."
    refused.refresh_from_db()
    assert refused.packs == []


def test_the_same_idempotency_key_gives_back_the_first_order() -> None:
    world = scene()
    context = world.context(world.main_user, ContextKind.COMPANY)
    arguments: dict[str, Any] = {
        "request": None,
        "identity": world.main_user,
        "context": context,
        "route": OrderRoute.DIRECT,
        "connections": [world.company_numbers[1]],
        "wanted": OrderRequest(OrderKind.PACK_ADD, "pack-extra-data-10gb"),
        "idempotency_key": "key-1",
    }
    first = order_place(**arguments)
    second = order_place(**arguments)
    assert first.pk == second.pk
    assert Order.objects.count() == 1


def test_an_esim_replacement_gives_the_activation_code_as_an_lpa_string() -> None:
    world = scene()
    context = world.context(world.private, ContextKind.PRIVATE)
    order = order_place(
        request=None,
        identity=world.private,
        context=context,
        route=OrderRoute.DIRECT,
        connections=[world.private_number],
        wanted=OrderRequest(OrderKind.ESIM),
    )
    with later(10):
        order = order_follow_up(order, force=True)
    assert order.state == OrderState.COMPLETED
    assert order.activation_code.startswith("LPA:1$rsp.simulator.selfcare.test$")


def test_an_employees_request_goes_to_the_operator_only_when_the_main_user_approves() -> None:
    world = scene()
    work = world.context(world.employee, ContextKind.WORK)
    order = order_place(
        request=None,
        identity=world.employee,
        context=work,
        route=OrderRoute.REQUEST,
        connections=[world.work_number],
        wanted=OrderRequest(OrderKind.PACK_ADD, "pack-roaming-world-1gb"),
    )
    assert order.state == OrderState.REQUESTED
    assert not order.external_id
    company = world.context(world.main_user, ContextKind.COMPANY)
    order = order_decide(request=None, identity=world.main_user, context=company, order=order, approve=True)
    assert order.external_id
    assert order.state == OrderState.ACKNOWLEDGED
    assert AuditEvent.objects.filter(action="orders:request:approve", object_id=str(order.pk)).exists()
    with later(10):
        order_follow_up(order, force=True)
    world.work_number.refresh_from_db()
    assert world.work_number.packs == ["pack-roaming-world-1gb"]


def test_a_declined_request_is_audited_and_the_employee_is_told(django_capture_on_commit_callbacks: Any) -> None:
    world = scene()
    work = world.context(world.employee, ContextKind.WORK)
    order = order_place(
        request=None,
        identity=world.employee,
        context=work,
        route=OrderRoute.REQUEST,
        connections=[world.work_number],
        wanted=OrderRequest(OrderKind.PLAN, "bizness-eiropa-15"),
    )
    company = world.context(world.main_user, ContextKind.COMPANY)
    with django_capture_on_commit_callbacks(execute=True):
        order = order_decide(request=None, identity=world.main_user, context=company, order=order, approve=False)
    assert order.state == OrderState.DECLINED
    assert not order.external_id
    assert AuditEvent.objects.filter(action="orders:request:decline", object_id=str(order.pk)).exists()
    assert SmsMessage.objects.filter(to=str(world.work_number.msisdn)).exists()


def test_an_order_whose_events_never_came_is_completed_by_the_task_systems_poll_and_the_person_told(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from selfcare.background.schedule import tick
    from selfcare.schedule import SCHEDULE

    world = scene()
    work = world.context(world.employee, ContextKind.WORK)
    order = order_place(  # an employee blocks their lost SIM: no callback reaches us in this test
        request=None,
        identity=world.employee,
        context=work,
        route=OrderRoute.DIRECT,
        connections=[world.work_number],
        wanted=OrderRequest(OrderKind.SIM_BLOCK, values={"reason": SimState.LOST}),
    )
    with later(60), django_capture_on_commit_callbacks(execute=True):
        assert "orders.poll_open_orders" in tick(SCHEDULE)  # the worker's minute tick (immediate backend: runs now)
    order.refresh_from_db()
    assert order.state == OrderState.COMPLETED
    world.work_number.refresh_from_db()
    assert world.work_number.sim_state == SimState.LOST
    assert SmsMessage.objects.filter(to=str(world.work_number.msisdn)).exists()  # told, by a task after the commit
