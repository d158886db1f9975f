"""TMF678 Customer Bill Management, as the operator's billing system answers it (selfcare.billing.client's
docstring shows one bill). Bearer token: the demo's (`selfcare.billing.config.DEMO_TOKEN`)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from selfcare.billing.config import DEMO_TOKEN
from selfcare.customers.models import CustomerAccount
from selfcare.simulators.billing import bills as made
from selfcare.simulators.billing.pdf import render_bill
from selfcare.simulators.gate import demo_only


def _error(status: int, reason: str) -> JsonResponse:
    return JsonResponse({"code": str(status), "reason": reason, "status": str(status)}, status=status)


def _authorised(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.headers.get("Authorization") != f"Bearer {DEMO_TOKEN}":
            return _error(401, "Unauthorized")
        return view(request, *args, **kwargs)

    return wrapped


def _moment(day: datetime.date, end: bool = False) -> str:
    time = datetime.time(23, 59, 59) if end else datetime.time(0, 0)
    return timezone.make_aware(datetime.datetime.combine(day, time)).isoformat()


def _money(value: Any) -> dict[str, Any]:
    return {"unit": "EUR", "value": float(value)}


def _resource(request: HttpRequest, bill: made.SimBill) -> dict[str, Any]:
    href = request.build_absolute_uri(reverse("billing-simulator:bill", args=[bill.id]))
    account = bill.account
    return {
        "id": bill.id,
        "href": href,
        "@type": "Tele2CustomerBill",
        "@baseType": "CustomerBill",
        "billNo": bill.bill_no,
        "billDate": _moment(bill.bill_date),
        "lastUpdate": _moment(bill.bill_date),
        "state": bill.state,
        "category": "normal",
        "billingAccount": {
            "id": account.account_number,
            "name": account.company.name if account.company is not None else account.holder_name,
            "@referredType": "BillingAccount",
        },
        "billingPeriod": {"startDateTime": _moment(bill.period_start), "endDateTime": _moment(bill.period_end, True)},
        "amountDue": _money(bill.total),
        "taxIncludedAmount": _money(bill.total),
        "taxExcludedAmount": _money(bill.net),
        "remainingAmount": _money(bill.remaining),
        "taxItem": [{"taxCategory": "VAT", "taxRate": 0.21, "taxAmount": _money(bill.vat)}],
        "paymentDueDate": _moment(bill.due),
        "billDocument": [
            {
                "id": f"{bill.id}-pdf",
                "name": f"invoice-{bill.bill_no}.pdf",
                "mimeType": "application/pdf",
                "url": request.build_absolute_uri(reverse("billing-simulator:document", args=[bill.id])),
            }
        ],
        "paymentDetails": {"iban": made.IBAN, "reference": bill.bill_no, "beneficiary": made.BENEFICIARY},
    }


@require_safe
@never_cache
@demo_only
@_authorised
def bill_list(request: HttpRequest) -> HttpResponse:
    number = request.GET.get("billingAccount.id", "")
    account = CustomerAccount.objects.filter(account_number=number).first() if number else None
    items = [_resource(request, bill) for bill in made.bills_of(account)] if account is not None else []
    response = JsonResponse(items, safe=False)
    response["X-Total-Count"] = response["X-Result-Count"] = str(len(items))
    return response


@require_safe
@never_cache
@demo_only
@_authorised
def bill_detail(request: HttpRequest, bill_id: str) -> HttpResponse:
    bill = made.find(bill_id)
    if bill is None:
        return _error(404, "Not Found")
    return JsonResponse(_resource(request, bill))


@require_safe
@never_cache
@demo_only
@_authorised
def bill_document(request: HttpRequest, bill_id: str) -> HttpResponse:
    bill = made.find(bill_id)
    if bill is None:
        return _error(404, "Not Found")
    response = HttpResponse(render_bill(bill), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="invoice-{bill.bill_no}.pdf"'
    return response
