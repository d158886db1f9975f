"""New connections through the app API (scope `orders`): the catalogue, a new number on an eSIM signed with Smart-ID
and followed to its activation code, and the refusals: another person's order, a company the person may not order
for, a bad address at its field."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
import time_machine
from django.test import Client

from selfcare.access.tests.factories import person
from selfcare.channels.tests import oidc
from selfcare.channels.tests.test_api import get, post, token_for
from selfcare.customers.models import Connection
from selfcare.customers.tests import factories
from selfcare.orders.tests.scene import plans
from selfcare.simulators.testing import SimulatorsClient

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("tmf")]

LIGA = "32579104511"
MONDAY = datetime.datetime(2027, 3, 8, 8, 0, tzinfo=datetime.UTC)
API = "/api/v1/new-connections"


@pytest.fixture(autouse=True)
def _app_and_plans() -> None:
    oidc.app()
    plans()


def _confirm_on_phone(code: str) -> None:
    phone = SimulatorsClient(HTTP_ACCEPT_LANGUAGE="en")
    page = phone.get(f"/simulators/smartid/phone/{code}/").content.decode()
    session = re.search(rf"/simulators/smartid/phone/{code}/([0-9a-f-]{{36}})/", page)
    assert session is not None
    phone.post(f"/simulators/smartid/phone/{code}/{session.group(1)}/", {"answer": "confirm"})


def test_the_app_orders_an_esim_connection_signs_the_contract_and_reads_the_activation_code() -> None:
    with time_machine.travel(MONDAY, tick=True):
        token = token_for(person(LIGA, "Līga", "Liepa"), "openid orders")
        catalogue = get(f"{API}/catalogue", token, forWhom="private").json()
        assert "privats-10" in [p["id"] for p in catalogue]

        started = post(API, token, {"forWhom": "private", "plan": "privats-10"})
        assert started.status_code == 201
        order = started.json()
        assert order["next"] == "number"
        assert order["offeredNumbers"]
        url = f"{API}/{order['id']}"
        msisdn = order["offeredNumbers"][0]
        assert post(f"{url}/number", token, {"choice": "new", "msisdn": msisdn}).json()["next"] == "sim"
        assert post(f"{url}/sim", token, {"kind": "esim"}).json()["next"] == "sign"

        signing = post(f"{url}/signature", token, {}).json()
        for _ in range(15):
            signing = post(f"{url}/signature/status", token, {}).json()
            if signing["verificationCode"]:
                break
        _confirm_on_phone(LIGA)
        for _ in range(15):
            signing = post(f"{url}/signature/status", token, {}).json()
            if signing["stage"] == "done":
                break
        assert signing["order"]["state"] in ("acknowledged", "inProgress")
        assert signing["order"]["contract"] == f"{url}/contract"
        contract = Client().get(f"{url}/contract", headers={"Authorization": f"Bearer {token}"})
        assert contract["Content-Type"] == "application/pdf"

    with time_machine.travel(MONDAY + datetime.timedelta(minutes=5), tick=True):
        done = get(url, token).json()
        assert done["state"] == "completed"
        assert done["activationCode"].startswith("LPA:1$")
        assert Connection.objects.filter(msisdn=msisdn).exists()


def test_the_app_gets_nothing_of_another_persons_order_nor_of_a_company_it_may_not_order_for() -> None:
    liga, anna = person(LIGA, "Līga", "Liepa"), person("15038512346", "Anna", "Bērziņa")
    mine = post(API, token_for(liga, "openid orders"), {"forWhom": "private", "plan": "privats-10"}).json()
    other = token_for(anna, "openid orders")
    assert get(f"{API}/{mine['id']}", other).status_code == 404
    company = factories.company()
    assert get(f"{API}/catalogue", other, forWhom=f"company-{company.pk}").status_code == 404
    assert post(API, other, {"forWhom": f"company-{company.pk}", "plan": "bizness-eiropa-5"}).status_code == 404
    assert get(f"{API}/{mine['id']}", None).status_code == 401


def test_a_bad_address_is_refused_at_its_field_and_a_plan_not_on_sale_leaves_no_order(settings: Any) -> None:
    token = token_for(person(LIGA, "Līga", "Liepa"), "openid orders")
    assert post(API, token, {"forWhom": "private", "plan": "bizness-eiropa-5"}).status_code == 422
    assert get(API, token).json() == []
    order = post(API, token, {"forWhom": "private", "plan": "privats-10"}).json()
    address = {"recipient": "Līga", "street": "Brīvības 1", "city": "Rīga", "postcode": "X"}
    bad = post(
        f"{API}/{order['id']}/sim",
        token,
        {"kind": "sim", "deliveryAddress": address},
    )
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["postcode"]
