"""The TMF678 Customer Bill Management client: a billing account's bills, one bill, a bill's document.

    client = billing_client()
    bills = client.bills_of("B-10000001")          # newest first
    bill = client.bill("B-10000001-202611")
    pdf = client.document(bill)                    # bytes of the PDF

A bill as the API sends it (TMF678 v4, anonymised; ``paymentDetails`` is the operator's extension, declared by
``@type``, and may be absent)::

    {"id": "B-10000001-202611", "href": ".../customerBill/B-10000001-202611", "@type": "Tele2CustomerBill",
     "billNo": "2026110001", "billDate": "2026-12-01T00:00:00+02:00", "state": "new",
     "billingAccount": {"id": "B-10000001", "name": "SIA Ziemeļu Loģistika"},
     "billingPeriod": {"startDateTime": "2026-11-01T00:00:00+02:00", "endDateTime": "2026-11-30T23:59:59+02:00"},
     "amountDue": {"unit": "EUR", "value": 193.58}, "taxIncludedAmount": {"unit": "EUR", "value": 193.58},
     "taxExcludedAmount": {"unit": "EUR", "value": 159.98}, "remainingAmount": {"unit": "EUR", "value": 193.58},
     "paymentDueDate": "2026-12-31T00:00:00+02:00",
     "billDocument": [{"id": "…", "mimeType": "application/pdf", "url": ".../customerBill/…/document.pdf"}],
     "paymentDetails": {"iban": "LV80BANK0000435195001", "reference": "2026110001"}}

Every failure — the API unreachable, slow, answering an error status or a shape we cannot read — is
`BillingUnavailable`, except a bill the API does not know (HTTP 404), which is `BillNotFound`. Amounts are read as
`Decimal` from the JSON text (never through a float). What is **not** checked: that the amounts add up (the
billing system is the source of truth), and the bill's state beyond the TMF678 names.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
from django.utils import timezone

from selfcare import outbound
from selfcare.billing.config import BillingConfig, billing_config

logger = logging.getLogger(__name__)

STATES = ("new", "onHold", "validated", "sent", "settled", "partiallyPaid")
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


class BillingUnavailable(Exception):
    """The billing system could not answer usefully now; the person is asked to try later."""


class BillNotFound(Exception):
    """The billing system knows no such bill."""


@dataclass(frozen=True, slots=True)
class Bill:
    id: str
    bill_no: str
    billing_account_id: str
    bill_date: datetime.date
    period_start: datetime.date
    period_end: datetime.date
    amount_due: Decimal
    tax_included: Decimal
    tax_excluded: Decimal | None
    remaining: Decimal
    currency: str
    payment_due_date: datetime.date | None
    state: str
    document_url: str
    iban: str = ""
    payment_reference: str = ""

    @property
    def paid(self) -> bool:
        return self.state == "settled" or self.remaining <= 0

    def status(self, today: datetime.date) -> str:
        """ "paid", "overdue" (unpaid after its due date) or "unpaid"."""
        if self.paid:
            return "paid"
        if self.payment_due_date is not None and self.payment_due_date < today:
            return "overdue"
        return "unpaid"


def _date(value: Any) -> datetime.date:
    if not isinstance(value, str):
        raise ValueError("not a date-time")
    moment = datetime.datetime.fromisoformat(value)
    if timezone.is_aware(moment):
        return timezone.localtime(moment).date()
    return moment.date()


def _money(value: Any) -> tuple[Decimal, str]:
    if not isinstance(value, dict) or not isinstance(value.get("unit"), str):
        raise ValueError("not a Money")
    amount = value.get("value")
    if isinstance(amount, bool) or not isinstance(amount, int | float | str | Decimal):
        raise ValueError("not an amount")
    try:
        number = Decimal(str(amount))
    except InvalidOperation as error:
        raise ValueError("not an amount") from error
    if not number.is_finite():
        raise ValueError("not an amount")
    return number, value["unit"]


def parse_bill(data: Any) -> Bill:
    """A TMF678 CustomerBill as a `Bill`; ValueError (or KeyError/TypeError) when it is not one."""
    if not isinstance(data, dict):
        raise ValueError("not an object")
    bill_id, state = data["id"], data.get("state", "")
    if not isinstance(bill_id, str) or not bill_id or state not in STATES:
        raise ValueError("bad id or state")
    amount_due, currency = _money(data["amountDue"])
    tax_included = _money(data.get("taxIncludedAmount", data["amountDue"]))[0]
    tax_excluded = _money(data["taxExcludedAmount"])[0] if "taxExcludedAmount" in data else None
    remaining = _money(data.get("remainingAmount", data["amountDue"]))[0]
    period = data.get("billingPeriod") or {}
    documents = [d for d in data.get("billDocument") or [] if isinstance(d, dict) and isinstance(d.get("url"), str)]
    payment = data.get("paymentDetails") or {}
    account = data.get("billingAccount") or {}
    due = data.get("paymentDueDate")
    return Bill(
        id=bill_id,
        bill_no=str(data.get("billNo") or bill_id),
        billing_account_id=str(account.get("id", "")),
        bill_date=_date(data["billDate"]),
        period_start=_date(period["startDateTime"]),
        period_end=_date(period["endDateTime"]),
        amount_due=amount_due,
        tax_included=tax_included,
        tax_excluded=tax_excluded,
        remaining=remaining,
        currency=currency,
        payment_due_date=_date(due) if due else None,
        state=state,
        document_url=documents[0]["url"] if documents else "",
        iban=str(payment.get("iban", "")) if isinstance(payment, dict) else "",
        payment_reference=str(payment.get("reference", "")) if isinstance(payment, dict) else "",
    )


class BillingClient:
    def __init__(self, config: BillingConfig, *, transport: httpx.BaseTransport | None = None) -> None:
        self.config = config
        self._http = outbound.client(
            timeout=httpx.Timeout(config.timeout_s),
            transport=transport,
            headers={"Authorization": f"Bearer {config.token}", "Accept": "application/json"},
            follow_redirects=False,
        )

    def bills_of(self, billing_account_id: str) -> list[Bill]:
        """The account's bills, newest first."""
        try:
            data = self._json("customerBill", params={"billingAccount.id": billing_account_id})
        except BillNotFound as error:  # a list is never missing: the URL is wrong
            raise self._bad("the bill list answered 404") from error
        if not isinstance(data, list):
            raise self._bad("the bill list is not a JSON array")
        try:
            bills = [parse_bill(item) for item in data]
        except (KeyError, TypeError, ValueError) as error:
            raise self._bad(f"a bill in the list cannot be read: {error!r}") from error
        # The filter is the API's; a bill of another account in the answer must never be shown here.
        bills = [bill for bill in bills if bill.billing_account_id == billing_account_id]
        return sorted(bills, key=lambda bill: (bill.bill_date, bill.id), reverse=True)

    def bill(self, bill_id: str) -> Bill:
        data = self._json(f"customerBill/{quote(bill_id, safe='')}")
        try:
            return parse_bill(data)
        except (KeyError, TypeError, ValueError) as error:
            raise self._bad(f"the bill cannot be read: {error!r}") from error

    def document(self, bill: Bill) -> bytes:
        """The bill's PDF. Only from the billing API's own host: a document URL elsewhere is not followed."""
        ours, theirs = urlsplit(self.config.api_url), urlsplit(bill.document_url)
        if not bill.document_url or (theirs.scheme, theirs.netloc) != (ours.scheme, ours.netloc):
            raise self._bad("the bill's document is not on the billing API's host")
        response = self._get(bill.document_url, accept="application/pdf")
        content = response.content
        if len(content) > MAX_DOCUMENT_BYTES or not content.startswith(b"%PDF"):
            raise self._bad("the bill's document is not a PDF")
        return content

    # --- HTTP -----------------------------------------------------------------------------------------------------

    def _bad(self, why: str) -> BillingUnavailable:
        logger.error("Billing API: %s", why)
        return BillingUnavailable(why)

    def _get(
        self, url: str, *, params: dict[str, str] | None = None, accept: str = "application/json"
    ) -> httpx.Response:
        try:
            response = self._http.get(url, params=params, headers={"Accept": accept})
        except httpx.HTTPError as error:
            logger.warning("Billing API unreachable: %r", error)
            raise BillingUnavailable(str(error)) from error
        if response.status_code == 404:
            raise BillNotFound(url)
        if response.status_code != 200:
            raise self._bad(f"HTTP {response.status_code} for {url}")
        return response

    def _json(self, resource: str, *, params: dict[str, str] | None = None) -> Any:
        response = self._get(self.config.api_url + resource, params=params)
        try:
            return response.json()
        except ValueError as error:
            raise self._bad(f"not JSON from {resource}") from error


def billing_client() -> BillingClient:
    """The client for the configured billing API (a new one per use: httpx clients are not shared across threads)."""
    return BillingClient(billing_config())
