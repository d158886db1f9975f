"""Who may order a new connection, and for whom (selfcare.access.policy.new_connection_context): anyone privately,
a company's main user with a mandate for the whole company, or its representative in the register; nobody else,
and no one but the person who placed an order reads it. Also the back-office flag for an address many orders use,
the back office's list, and the notices at each step."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.utils import timezone

from selfcare.access.contexts import ContextKind, NotFound
from selfcare.access.policy import new_connection_context, new_connection_contexts, require_new_connection
from selfcare.access.tests.factories import binding, mandate, person
from selfcare.customers.tests import factories
from selfcare.mandates.models import MandateScope
from selfcare.mandates.tests import builders
from selfcare.orders.models import NewConnectionOrder, SimKind
from selfcare.orders.new_connection import address_flag

pytestmark = pytest.mark.django_db


def test_anyone_may_order_privately_even_with_no_connection_yet() -> None:
    liga = person("32579104511", "Līga", "Liepa")
    context = new_connection_context(liga, "private")
    assert (context.kind, context.account_ids) == (ContextKind.PRIVATE, ())
    assert [c.key for c in new_connection_contexts(liga)] == ["private"]


def test_a_main_user_for_the_whole_company_may_order_for_it_and_others_may_not() -> None:
    account = factories.business_account()
    company = account.company
    assert company is not None
    anna, narrow, employee, ended, stranger = (
        person("15038512346", "Anna", "Bērziņa"),
        person("16117519997", "Bruno", "Kalns"),
        person("22079018761", "Pēteris", "Ozols"),
        person("01059011113", "Edgars", "Lapa"),
        person("32579104511", "Līga", "Liepa"),
    )
    mandate(company, anna)
    selected = mandate(company, narrow, scope=MandateScope.SELECTED)
    selected.connections.add(factories.connection(account=account))
    binding(factories.connection(account=account), employee)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    mandate(company, ended, valid_from=yesterday - datetime.timedelta(days=30), valid_until=yesterday)

    assert new_connection_context(anna, f"company-{company.pk}").company_id == company.pk
    for someone, key in (
        (narrow, f"company-{company.pk}"),
        (employee, f"work-{company.pk}"),
        (ended, f"company-{company.pk}"),
        (stranger, f"company-{company.pk}"),
    ):
        with pytest.raises(NotFound):
            new_connection_context(someone, key)
    assert [c.key for c in new_connection_contexts(narrow)] == ["private"]


def test_a_representative_in_the_register_may_order_for_the_company() -> None:
    company = factories.company(name="SIA Rīgas Kafija")
    builders.representative(company, "Jānis Kalniņš", "12047811230")
    janis = person("12047811230", "JĀNIS", "KALNIŅŠ")
    assert new_connection_context(janis, f"representative-{company.pk}").company_id == company.pk


def test_only_the_person_who_placed_an_order_reads_it() -> None:
    liga, anna = person("32579104511", "Līga", "Liepa"), person("15038512346", "Anna", "Bērziņa")
    order = NewConnectionOrder.objects.create(ordered_by=liga, context="private")
    assert require_new_connection(liga, order.pk) == order
    for who, order_id in ((anna, order.pk), (liga, uuid.uuid4())):
        with pytest.raises(NotFound):
            require_new_connection(who, order_id)


def test_a_delivery_address_many_orders_name_is_flagged_to_the_back_office(settings: Any) -> None:
    settings.NEW_CONNECTION_ADDRESS_MAX_ORDERS = 2
    liga = person("32579104511", "Līga", "Liepa")
    address = {"deliveryStreet": "Brīvības iela 1 - 7", "deliveryPostcode": "LV-1010"}

    def order() -> NewConnectionOrder:
        return NewConnectionOrder.objects.create(
            ordered_by=liga, context="private", sim_kind=SimKind.SIM, delivery=address, signed_at=timezone.now()
        )

    first, second = order(), order()
    assert address_flag(first) == ""
    assert address_flag(second) == ""
    assert "address used by 3 orders" in address_flag(order())


def test_customer_service_sees_new_connection_orders_flagged_and_downloads_the_signed_contract(client: Any) -> None:
    from selfcare.access.tests.factories import staff_client
    from selfcare.storage import store

    liga = person("32579104511", "Līga", "Liepa")
    store("contracts/test-contract.pdf", b"%PDF-1.7 signed contract")
    order = NewConnectionOrder.objects.create(
        ordered_by=liga,
        context="private",
        msisdn="+37120001001",
        plan_name="Privāts 10 GB",
        sim_kind=SimKind.ESIM,
        state="inProgress",
        flagged="eSIM not ready in time",
        contract_name="contracts/test-contract.pdf",
    )
    staff = staff_client(client, "customer_service")
    listed = staff.get("/backoffice/orders/newconnectionorder/", {"flagged": "yes"}).content.decode()
    assert "+37120001001" in listed
    detail = staff.get(f"/backoffice/orders/newconnectionorder/{order.pk}/change/").content.decode()
    assert 'data-testid="contract"' in detail
    download = staff.get(f"/backoffice/orders/newconnectionorder/{order.pk}/contract/")
    assert download.content == b"%PDF-1.7 signed contract"
    assert download["Content-Disposition"].startswith("attachment;")


def test_the_person_is_told_at_each_step_and_the_active_connection_joins_their_private_context(
    django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    from selfcare.access.contexts import contexts_of
    from selfcare.orders.new_connection import apply_state
    from selfcare.orders.tests.scene import plans
    from selfcare.security.models import NotificationContact

    plans()
    liga = person("32579104511", "Līga", "Liepa")
    NotificationContact.objects.create(identity=liga, email="liga@example.lv")
    order = NewConnectionOrder.objects.create(
        ordered_by=liga,
        context="private",
        plan_code="privats-10",
        plan_name="Privāts 10 GB",
        msisdn="+37120001001",
        sim_kind=SimKind.ESIM,
        state="acknowledged",
    )
    with django_capture_on_commit_callbacks(execute=True):
        apply_state(order=order, state="inProgress")
    with django_capture_on_commit_callbacks(execute=True):
        apply_state(order=order, state="inProgress", activation_code="LPA:1$rsp.example$ABC")
    with django_capture_on_commit_callbacks(execute=True):
        apply_state(order=order, state="completed", activation_code="LPA:1$rsp.example$ABC")

    bodies = [message.body for message in mailoutbox]
    assert len(bodies) == 3
    assert "eSIM" in bodies[1]
    assert "+371 20 001 001" in bodies[2]
    private = next(c for c in contexts_of(liga) if c.kind == ContextKind.PRIVATE)
    order.refresh_from_db()
    assert order.connection is not None
    assert order.connection.account_id in private.account_ids
