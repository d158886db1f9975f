"""The bills pages: the list with each bill's state, a bill with how to pay it, money in the reader's language, and
the billing system down said in words (never an error page)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from selfcare.access.tests import factories as people
from selfcare.customers.tests import factories

# The billing simulator reads the accounts from the database in its own server thread: on PostgreSQL it sees only
# committed rows, so these tests commit theirs (transaction=True), as the demo's two processes share one database.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def anna_client() -> tuple[Client, str, str]:
    company = factories.company(name="SIA Alfa")
    account = factories.business_account(company=company)
    for _ in range(3):
        factories.connection(account=account)
    anna = people.person("15038512346", "ANNA")
    people.mandate(company, anna)
    client = Client()
    client.force_login(anna.user)
    return client, f"company-{company.pk}", account.account_number


def test_the_list_marks_each_bill_paid_unpaid_or_overdue(anna_client: tuple[Client, str, str]) -> None:
    client, context, _ = anna_client
    page = client.get(f"/en/acting/{context}/bills/").content.decode()
    assert page.count('data-testid="bill-status"') == 6
    assert page.count(">Overdue<") == 1
    assert page.count(">Unpaid<") == 1
    assert page.count(">Paid<") == 4
    assert "€" in page


def test_a_bill_shows_how_to_pay_it(anna_client: tuple[Client, str, str]) -> None:
    client, context, _number = anna_client
    page = client.get(f"/en/acting/{context}/bills/").content.decode()
    link = page.split(f'href="/en/acting/{context}/bills/')[1].split('"')[0]
    bill = client.get(f"/en/acting/{context}/bills/{link}").content.decode()
    assert "LV44HABA0551000000001" in bill
    assert "Payment reference" in bill
    assert f"/en/acting/{context}/bills/{link}invoice.pdf" in bill


@pytest.mark.parametrize(("language", "prefix"), [("lv", ""), ("ru", "/ru"), ("en", "/en")])
def test_amounts_are_written_in_the_readers_language(
    anna_client: tuple[Client, str, str], language: str, prefix: str
) -> None:
    client, context, _ = anna_client
    page = client.get(f"{prefix}/acting/{context}/bills/").content.decode()
    amounts = [cell.split("</td>")[0] for cell in page.split('data-label="')[1:] if "€" in cell.split("</td>")[0]]
    assert amounts
    if language == "en":
        assert all(">€" in amount and "." in amount for amount in amounts)
    else:
        assert all(amount.endswith("\u00a0€") and "," in amount for amount in amounts)


def test_the_billing_system_down_gives_a_message_not_an_error(
    anna_client: tuple[Client, str, str], settings: Any
) -> None:
    client, context, number = anna_client
    settings.BILLING_API_URL = "http://127.0.0.1:9/tmf-api/customerBillManagement/v4/"
    settings.BILLING_TIMEOUT_SECONDS = 1
    for url in (f"/en/acting/{context}/bills/", f"/en/acting/{context}/bills/{number}-202601/"):
        response = client.get(url)
        assert response.status_code == 503
        assert "Bills are unavailable right now. Please try again later." in response.content.decode()
    response = client.get(f"/acting/{context}/bills/")
    assert response.status_code == 503
