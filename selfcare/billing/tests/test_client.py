"""The TMF678 client against the billing simulator over real HTTP (the simulator service's live server)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from selfcare.billing.client import BillingUnavailable, BillNotFound, billing_client
from selfcare.billing.config import billing_config
from selfcare.demo.loader import load_demo

# The billing simulator reads the accounts from the database in its own server thread: on PostgreSQL it sees only
# committed rows, so these tests commit theirs (transaction=True), as the demo's two processes share one database.
pytestmark = pytest.mark.django_db(transaction=True)
COMPANY_ACCOUNT = "B-10000001"


@pytest.fixture
def demo() -> None:
    load_demo()


def test_the_list_has_six_monthly_bills_newest_first_with_one_unpaid_and_one_overdue(demo: None) -> None:
    bills = billing_client().bills_of(COMPANY_ACCOUNT)
    assert len(bills) == 6
    assert [b.bill_date for b in bills] == sorted((b.bill_date for b in bills), reverse=True)
    assert {b.billing_account_id for b in bills} == {COMPANY_ACCOUNT}
    today = timezone.localdate()
    assert [b.status(today) for b in bills] == ["unpaid", "overdue", "paid", "paid", "paid", "paid"]
    newest = bills[0]
    assert newest.currency == "EUR"
    assert isinstance(newest.amount_due, Decimal)
    assert newest.amount_due > 0
    assert newest.tax_excluded is not None
    assert newest.amount_due == newest.tax_excluded + (newest.tax_excluded * Decimal("0.21")).quantize(Decimal("0.01"))
    assert newest.period_start == (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    assert newest.iban.startswith("LV")
    assert newest.payment_reference == newest.bill_no


def test_one_bill_and_its_pdf(demo: None) -> None:
    client = billing_client()
    listed = client.bills_of(COMPANY_ACCOUNT)[1]
    bill = client.bill(listed.id)
    assert bill == listed
    assert client.document(bill).startswith(b"%PDF")


def test_an_unknown_account_has_no_bills_and_an_unknown_bill_is_not_found(demo: None) -> None:
    client = billing_client()
    assert client.bills_of("B-99999999") == []
    with pytest.raises(BillNotFound):
        client.bill("B-99999999-202601")


def test_the_billing_system_down_is_unavailable_not_an_error(demo: None, settings: Any) -> None:
    settings.BILLING_API_URL = "http://127.0.0.1:9/tmf-api/customerBillManagement/v4/"
    settings.BILLING_TIMEOUT_SECONDS = 2
    with pytest.raises(BillingUnavailable):
        billing_client().bills_of(COMPANY_ACCOUNT)


def test_a_wrong_token_is_unavailable(demo: None, settings: Any) -> None:
    settings.BILLING_API_TOKEN = "not-the-token"
    with pytest.raises(BillingUnavailable):
        billing_client().bills_of(COMPANY_ACCOUNT)


def test_production_refuses_the_demo_token_and_plain_http(settings: Any) -> None:
    settings.SELFCARE_DEMO = False
    settings.BILLING_API_URL = "http://bss.example/tmf-api/customerBillManagement/v4/"
    settings.BILLING_API_TOKEN = ""
    with pytest.raises(ImproperlyConfigured, match="https://") as refused:
        billing_config()
    assert "BILLING_API_TOKEN" in str(refused.value)
    settings.BILLING_API_URL = ""
    with pytest.raises(ImproperlyConfigured, match="BILLING_API_URL is not set"):
        billing_config()
