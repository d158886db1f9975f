"""A context's bills, TMF678-like (Customer Bill): the list, one bill, its PDF — behind the `bills` scope.

The same reads as the portal's bills pages (selfcare.billing.selectors, access by Action.VIEW_BILLS): a private
customer's own accounts, a company's accounts for its main user and representatives, never an employee's work
context. The PDF comes through the portal (the app never talks to the billing system). When the billing system
cannot answer: 503 with `bills_unavailable`.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Schema
from pydantic import ConfigDict, Field

from selfcare.access.contexts import NotFound
from selfcare.audit.services import record
from selfcare.billing.client import Bill, BillingUnavailable
from selfcare.billing.selectors import bill_document, bill_visible, bills_visible
from selfcare.channels.api import auth
from selfcare.channels.api.errors import REFUSALS, ApiError, Errors, not_found
from selfcare.channels.api.v1.contexts import PREFIX, acting_context
from selfcare.errors import ErrorCode

router = Router(tags=["bills"])
BILL_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
ANSWERS = {**REFUSALS, 503: Errors}


class MoneyOut(Schema):
    unit: str
    value: Decimal


class PeriodOut(Schema):
    startDateTime: datetime.date
    endDateTime: datetime.date


class PaymentOut(Schema):
    iban: str
    reference: str


class BillOut(Schema):
    id: str
    href: str
    type_: str = Field("CustomerBill", alias="@type")
    billNo: str
    billingAccount: str  # the account number
    billDate: datetime.date
    billingPeriod: PeriodOut
    amountDue: MoneyOut
    taxIncludedAmount: MoneyOut
    taxExcludedAmount: MoneyOut | None
    remainingAmount: MoneyOut
    paymentDueDate: datetime.date | None
    state: str  # TMF678: new, onHold, validated, sent, settled, partiallyPaid
    status: str  # ours, on today: paid, unpaid, overdue
    document: str | None  # href of the PDF through the portal
    paymentDetails: PaymentOut | None

    model_config = ConfigDict(populate_by_name=True)


def _out(context_key: str, bill: Bill) -> BillOut:
    href = f"{PREFIX}/{context_key}/bills/{bill.id}"
    return BillOut(  # type: ignore[call-arg]  # "@type" has its default
        id=bill.id,
        href=href,
        billNo=bill.bill_no,
        billingAccount=bill.billing_account_id,
        billDate=bill.bill_date,
        billingPeriod=PeriodOut(startDateTime=bill.period_start, endDateTime=bill.period_end),
        amountDue=MoneyOut(unit=bill.currency, value=bill.amount_due),
        taxIncludedAmount=MoneyOut(unit=bill.currency, value=bill.tax_included),
        taxExcludedAmount=None if bill.tax_excluded is None else MoneyOut(unit=bill.currency, value=bill.tax_excluded),
        remainingAmount=MoneyOut(unit=bill.currency, value=bill.remaining),
        paymentDueDate=bill.payment_due_date,
        state=bill.state,
        status=bill.status(timezone.localdate()),
        document=f"{href}/pdf" if bill.document_url else None,
        paymentDetails=PaymentOut(iban=bill.iban, reference=bill.payment_reference) if bill.iban else None,
    )


def _unavailable() -> ApiError:
    return ApiError(503, ErrorCode.BILLS_UNAVAILABLE)


@router.get(
    "/{context}/bills",
    response={200: list[BillOut], **ANSWERS},
    auth=auth.BILLS,
    by_alias=True,
    summary="The bills of the context's accounts, newest first (none for an employee's work context)",
)
def bill_list(request: HttpRequest, context: str) -> list[BillOut]:
    acting = acting_context(request, context)
    try:
        accounts = bills_visible(acting)
    except BillingUnavailable:
        raise _unavailable() from None
    return [_out(acting.key, bill) for item in accounts for bill in item.bills]


@router.get(
    "/{context}/bills/{bill_id}",
    response={200: BillOut, **ANSWERS},
    auth=auth.BILLS,
    by_alias=True,
    summary="One bill, with its state, amounts, due date and payment details",
)
def bill_detail(request: HttpRequest, context: str, bill_id: str) -> BillOut:
    acting = acting_context(request, context)
    if not BILL_ID.match(bill_id):
        raise not_found()
    try:
        _, bill = bill_visible(acting, bill_id)
    except NotFound:
        raise not_found() from None
    except BillingUnavailable:
        raise _unavailable() from None
    return _out(acting.key, bill)


@router.get(
    "/{context}/bills/{bill_id}/pdf",
    response={200: None, **ANSWERS},
    auth=auth.BILLS,
    summary="The bill's PDF, as an attachment",
)
def bill_pdf(request: HttpRequest, context: str, bill_id: str) -> HttpResponse:
    acting = acting_context(request, context)
    if not BILL_ID.match(bill_id):
        raise not_found()
    try:
        account, bill, pdf = bill_document(acting, bill_id)
    except NotFound:
        raise not_found() from None
    except BillingUnavailable:
        raise _unavailable() from None
    record(request, "portal:bill:download", identity=request.identity, context=acting, target=account)  # type: ignore[attr-defined]
    response = HttpResponse(pdf, content_type="application/pdf")
    name = re.sub(r"[^A-Za-z0-9._-]", "_", bill.bill_no)
    response["Content-Disposition"] = f'attachment; filename="invoice-{name}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
