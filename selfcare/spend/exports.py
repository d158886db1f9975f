"""A company's itemised usage for a calendar month as one CSV or XLSX file, kept in the documents storage.

`export_request` records the wish (audited) and builds the file at once when the month has at most
COMPANY_EXPORT_DIRECT_ROWS usage records, or leaves it to a worker (task `build_usage_export`) when it has more;
`export_build` writes it, saving its progress (`rows_done`) every PROGRESS_EVERY rows so the page can show it. The
caller has the company from selfcare.access (`company_to_export`); a person downloads only their own exports
(`usage_exports_in`). The rows are those of the per-connection export (selfcare/portal/bills.py) with the number
first; late records are in the month they happened in, as on the bill.

Every cell is the portal's own data (numbers, times, our labels, quantities), never text from people, so no cell
needs guarding against spreadsheet formulas. Not done: periods other than a calendar month; a month of more than
an XLSX sheet's 1,048,575 rows (take the CSV); deleting old files (they stay in the documents storage).
"""

from __future__ import annotations

import csv
import datetime
import io
import logging
from collections.abc import Iterator
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from selfcare import storage
from selfcare.access.contexts import Context
from selfcare.audit.services import record
from selfcare.identity.models import DigitalIdentity
from selfcare.spend.models import ExportFormat, ExportState, UsageExport
from selfcare.usage.models import UNIT_OF_KIND, Kind, Unit, UsageEvent, Zone

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 5000


def month_events(company_id: int, year: int, month: int) -> QuerySet[UsageEvent]:
    """The company's usage records that started in this calendar month (Europe/Riga), number by number in time
    order."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime(year, month, 1, tzinfo=zone)
    end = datetime.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    return UsageEvent.objects.filter(
        connection__account__company_id=company_id, started_at__gte=start, started_at__lt=end
    ).order_by("connection_id", "started_at", "pk")


def export_request(
    *,
    request: HttpRequest | None,
    identity: DigitalIdentity,
    context: Context,
    company_id: int,
    year: int,
    month: int,
    file_format: str,
) -> UsageExport:
    """Record the export and build it now (small) or queue it for a worker (large)."""
    if file_format not in ExportFormat.values:
        raise ValueError(file_format)
    total = month_events(company_id, year, month).count()
    with transaction.atomic():
        export = UsageExport.objects.create(
            company_id=company_id,
            context=context.key,
            requested_by=identity,
            year=year,
            month=month,
            file_format=file_format,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            rows_total=total,
        )
        record(request, "portal:usage:company-export", identity=identity, context=context, target=export)
        if total > settings.COMPANY_EXPORT_DIRECT_ROWS:
            from selfcare.spend.tasks import build_usage_export  # the task module imports this one

            transaction.on_commit(partial(build_usage_export.enqueue, str(export.pk)))
    if total <= settings.COMPANY_EXPORT_DIRECT_ROWS:
        export_build(export.pk)
        export.refresh_from_db()
    return export


def _rows(export: UsageExport) -> Iterator[list[Any]]:
    kinds, zones, units = dict(Kind.choices), dict(Zone.choices), dict(Unit.choices)
    events = month_events(export.company_id, export.year, export.month).values_list(
        "connection__msisdn", "started_at", "kind", "zone", "quantity"
    )
    for msisdn, started, kind, zone, quantity in events.iterator(chunk_size=2000):
        yield [
            str(msisdn),
            timezone.localtime(started),
            str(kinds.get(kind, kind)),
            str(zones.get(zone, zone)),
            quantity,
            str(units.get(UNIT_OF_KIND.get(kind, ""), "")),
        ]


def _progress(export: UsageExport, done: int) -> None:
    UsageExport.objects.filter(pk=export.pk).update(rows_done=done)


def export_build(export_id: Any) -> UsageExport:
    """Write the file into the documents storage (the task; a finished export is left as it is)."""
    with transaction.atomic():
        export = UsageExport.objects.select_for_update().get(pk=export_id)
        if export.state in (ExportState.DONE, ExportState.RUNNING):
            return export
        export.state = ExportState.RUNNING
        export.save(update_fields=["state"])
    try:
        with translation.override(export.language):
            data = _csv(export) if export.file_format == ExportFormat.CSV else _xlsx(export)
        name = f"usage-exports/{export.pk}.{export.file_format}"
        storage.store(name, data)
    except Exception:
        logger.exception("company usage export %s failed", export.pk)
        UsageExport.objects.filter(pk=export.pk).update(state=ExportState.FAILED, finished_at=timezone.now())
        raise
    UsageExport.objects.filter(pk=export.pk).update(
        state=ExportState.DONE, file_name=name, finished_at=timezone.now(), rows_done=export.rows_total
    )
    export.refresh_from_db()
    return export


def _header() -> list[str]:
    return [_("Number"), _("Started"), _("Kind"), _("Zone"), _("Quantity"), _("Unit")]


def _csv(export: UsageExport) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_header())
    for done, (number, started, *rest) in enumerate(_rows(export), start=1):
        writer.writerow([number, started.isoformat(timespec="seconds"), *rest])
        if done % PROGRESS_EVERY == 0:
            _progress(export, done)
    return buffer.getvalue().encode("utf-8")


def _xlsx(export: UsageExport) -> bytes:
    """Times as local dates without offset (Excel has no time zones), quantities as numbers; write-only mode
    streams the rows instead of keeping a sheet of cells."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Usage"))
    sheet.append(_header())
    for done, (number, started, *rest) in enumerate(_rows(export), start=1):
        sheet.append([number, started.replace(tzinfo=None), *rest])
        if done % PROGRESS_EVERY == 0:
            _progress(export, done)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_file(export: UsageExport) -> bytes:
    """The finished file's bytes (StorageUnavailable passes up)."""
    return storage.read(export.file_name)


def file_name_for(export: UsageExport, registration_number: str) -> str:
    return f"usage-{registration_number or export.company_id}-{export.year}-{export.month:02d}.{export.file_format}"
