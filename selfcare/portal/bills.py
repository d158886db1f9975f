"""A context's bills in the portal: the list per account, one bill with how to pay it, and its PDF as a download.

Who may see bills is decided in selfcare.access (Action.VIEW_BILLS); the bills come from the operator's billing
system through selfcare.billing. When that system cannot answer, the page says so in words (HTTP 503), never 500.
The PDF is fetched by the portal and served as an attachment: the browser never talks to the billing system.
"""

from __future__ import annotations

import re

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from selfcare.access.contexts import Action, Context, NotFound
from selfcare.access.policy import may
from selfcare.access.web import context_page
from selfcare.audit.services import record
from selfcare.billing.client import BillingUnavailable
from selfcare.billing.selectors import bill_document, bill_visible, bills_visible
from selfcare.errors import ErrorCode, message

BILL_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def _unavailable(request: HttpRequest, template: str) -> HttpResponse:
    return render(request, template, {"unavailable": message(ErrorCode.BILLS_UNAVAILABLE)}, status=503)


@require_safe
@context_page
def bill_list(request: HttpRequest) -> HttpResponse:
    acting: Context = request.acting  # type: ignore[attr-defined]
    if not may(acting, Action.VIEW_BILLS):
        raise Http404
    try:
        accounts = bills_visible(acting)
    except BillingUnavailable:
        return _unavailable(request, "portal/bills/list.html")
    return render(request, "portal/bills/list.html", {"accounts": accounts, "today": timezone.localdate()})


@require_safe
@context_page
def bill_detail(request: HttpRequest, bill_id: str) -> HttpResponse:
    acting: Context = request.acting  # type: ignore[attr-defined]
    if not BILL_ID.match(bill_id):
        raise Http404
    try:
        account, bill = bill_visible(acting, bill_id)
    except NotFound:
        raise Http404 from None
    except BillingUnavailable:
        return _unavailable(request, "portal/bills/detail.html")
    context = {"account": account, "bill": bill, "status": bill.status(timezone.localdate())}
    return render(request, "portal/bills/detail.html", context)


@require_safe
@context_page
def bill_pdf(request: HttpRequest, bill_id: str) -> HttpResponse:
    acting: Context = request.acting  # type: ignore[attr-defined]
    if not BILL_ID.match(bill_id):
        raise Http404
    try:
        account, bill, pdf = bill_document(acting, bill_id)
    except NotFound:
        raise Http404 from None
    except BillingUnavailable:
        return _unavailable(request, "portal/bills/detail.html")
    record(request, "portal:bill:download", identity=request.identity, context=acting, target=account)  # type: ignore[attr-defined]
    response = HttpResponse(pdf, content_type="application/pdf")
    name = re.sub(r"[^A-Za-z0-9._-]", "_", bill.bill_no)  # the operator's text never shapes our header
    response["Content-Disposition"] = f'attachment; filename="invoice-{name}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
