"""The app API's bills: behind the `bills` scope, by context, from the billing simulator over HTTP."""

from __future__ import annotations

import json
from typing import Any

import pytest

from selfcare.access.tests import factories as people
from selfcare.channels.tests import oidc
from selfcare.channels.tests.test_api import get, token_for
from selfcare.customers.tests import factories

# The billing simulator reads the accounts from the database in its own server thread: on PostgreSQL it sees only
# committed rows, so these tests commit theirs (transaction=True), as the demo's two processes share one database.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def anna() -> dict[str, Any]:
    oidc.app()
    company = factories.company(name="SIA Alfa")
    account = factories.business_account(company=company)
    a1 = factories.connection(account=account)
    other = factories.business_account(company=factories.company(name="SIA Beta"))
    factories.connection(account=other)
    identity = people.person("15038512346", "ANNA")
    people.mandate(company, identity)
    peteris = people.person("22079018761", "PĒTERIS")
    people.binding(a1, peteris)
    return {"identity": identity, "company": company, "account": account, "other": other, "peteris": peteris}


def test_the_main_user_lists_the_companys_bills_and_opens_one_with_its_pdf(anna: dict[str, Any]) -> None:
    token = token_for(anna["identity"])
    key = f"company-{anna['company'].pk}"
    bills = json.loads(get(f"/api/v1/contexts/{key}/bills", token).content)
    assert len(bills) == 6
    assert [b["status"] for b in bills] == ["unpaid", "overdue", "paid", "paid", "paid", "paid"]
    assert bills[0]["amountDue"]["unit"] == "EUR"
    one = json.loads(get(bills[1]["href"], token).content)
    assert one["id"] == bills[1]["id"]
    assert one["paymentDetails"]["iban"].startswith("LV")
    pdf = get(one["document"], token)
    assert pdf.status_code == 200
    assert pdf["Content-Disposition"].startswith("attachment;")
    assert pdf.content.startswith(b"%PDF")


def test_a_bill_of_another_account_and_an_employees_context_are_not_found(anna: dict[str, Any]) -> None:
    token = token_for(anna["identity"])
    key = f"company-{anna['company'].pk}"
    other_bill = json.loads(get(f"/api/v1/contexts/{key}/bills", token).content)[0]["id"].replace(
        anna["account"].account_number, anna["other"].account_number
    )
    assert get(f"/api/v1/contexts/{key}/bills/{other_bill}", token).status_code == 404
    assert get(f"/api/v1/contexts/{key}/bills/{other_bill}/pdf", token).status_code == 404
    employee = token_for(anna["peteris"])
    work = f"work-{anna['company'].pk}"
    assert json.loads(get(f"/api/v1/contexts/{work}/bills", employee).content) == []
    own_bill = other_bill.replace(anna["other"].account_number, anna["account"].account_number)
    assert get(f"/api/v1/contexts/{work}/bills/{own_bill}", employee).status_code == 404


def test_without_the_bills_scope_the_bills_are_refused(anna: dict[str, Any]) -> None:
    token = token_for(anna["identity"], "openid profile connections")
    response = get(f"/api/v1/contexts/company-{anna['company'].pk}/bills", token)
    assert response.status_code == 403
    assert json.loads(response.content)["errors"][0]["code"] == "insufficient_scope"


def test_the_billing_system_down_is_a_503_with_its_message(anna: dict[str, Any], settings: Any) -> None:
    token = token_for(anna["identity"])
    settings.BILLING_API_URL = "http://127.0.0.1:9/tmf-api/customerBillManagement/v4/"
    response = get(f"/api/v1/contexts/company-{anna['company'].pk}/bills", token)
    assert response.status_code == 503
    assert json.loads(response.content)["errors"][0]["code"] == "bills_unavailable"
