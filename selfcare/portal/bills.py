"""A context's bills in the portal: the list per account, one bill with how to pay it, and its PDF as a download.

Who may see bills is decided in selfcare.access (Action.VIEW_BILLS); the bills come from the operator's billing
system through selfcare.billing. When that system cannot answer, the page says so in words (HTTP 503), never 500.
The PDF is fetched by the portal and served as an attachment: the browser never talks to the billing system.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from openpyxl import Workbook

from selfcare.access.contexts import Action, Context
from selfcare.access.policy import company_to_export, may, require_connection
from selfcare.access.web import context_page
from selfcare.audit.services import record
from selfcare.billing.client import BillingUnavailable
from selfcare.billing.selectors import bill_document, bill_visible, bills_visible
from selfcare.customers.models import Connection
from selfcare.errors import ErrorCode, message
from selfcare.usage.models import UNIT_OF_KIND, Kind, Unit, Zone
from selfcare.usage.selectors import itemised_events

BILL_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
    context = {
        "accounts": accounts,
        "today": timezone.localdate(),
        "may_export_company": company_to_export(acting) is not None,
    }
    return render(request, "portal/bills/list.html", context)


@require_safe
@context_page
def bill_detail(request: HttpRequest, bill_id: str) -> HttpResponse:
    acting: Context = request.acting  # type: ignore[attr-defined]
    if not BILL_ID.match(bill_id):
        raise Http404
    try:
        account, bill = bill_visible(acting, bill_id)
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
    except BillingUnavailable:
        return _unavailable(request, "portal/bills/detail.html")
    record(request, "portal:bill:download", identity=request.identity, context=acting, target=account)  # type: ignore[attr-defined]
    response = HttpResponse(pdf, content_type="application/pdf")
    name = re.sub(r"[^A-Za-z0-9._-]", "_", bill.bill_no)  # the operator's text never shapes our header
    response["Content-Disposition"] = f'attachment; filename="invoice-{name}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def _itemised(request: HttpRequest, connection_id: int, year: int, month: int) -> tuple[Connection, list[str], Any]:
    """The connection (if this context may export its usage: Action.VIEW_BILLS, never an employee, never a narrow
    mandate), the header and the rows of its itemised usage for a calendar month; the export is audited."""
    acting: Context = request.acting  # type: ignore[attr-defined]
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise Http404
    connection = require_connection(request.identity, acting, Action.VIEW_BILLS, connection_id)  # type: ignore[attr-defined]
    record(request, "portal:usage:export", identity=request.identity, context=acting, target=connection)  # type: ignore[attr-defined]
    header = [_("Started"), _("Kind"), _("Zone"), _("Quantity"), _("Unit")]
    kinds, zones, units = dict(Kind.choices), dict(Zone.choices), dict(Unit.choices)
    rows = (
        [
            timezone.localtime(event.started_at),
            str(kinds.get(event.kind, event.kind)),
            str(zones.get(event.zone, event.zone)),
            event.quantity,
            str(units.get(UNIT_OF_KIND.get(event.kind, ""), "")),
        ]
        for event in itemised_events(connection, year, month).iterator(chunk_size=2000)
    )
    return connection, header, rows


def _attachment(response: HttpResponse, connection: Connection, year: int, month: int, extension: str) -> HttpResponse:
    name = f"usage-{connection.msisdn.lstrip('+')}-{year}-{month:02d}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@context_page
def usage_csv(request: HttpRequest, connection_id: int, year: int, month: int) -> HttpResponse:
    """A connection's itemised usage for a calendar month, as CSV: one row per usage record."""
    connection, header, rows = _itemised(request, connection_id, year, month)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    writer = csv.writer(response)
    writer.writerow(header)
    for started, *rest in rows:
        writer.writerow([started.isoformat(timespec="seconds"), *rest])
    return _attachment(response, connection, year, month, "csv")


@require_safe
@context_page
def usage_xlsx(request: HttpRequest, connection_id: int, year: int, month: int) -> HttpResponse:
    """The same rows as the CSV, as a spreadsheet: times as dates (local, without offset: Excel has no time zones),
    quantities as numbers. openpyxl's write-only mode streams the rows instead of keeping a sheet of cells."""
    connection, header, rows = _itemised(request, connection_id, year, month)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Usage"))
    sheet.append(header)
    for started, *rest in rows:
        sheet.append([started.replace(tzinfo=None), *rest])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    return _attachment(response, connection, year, month, "xlsx")
