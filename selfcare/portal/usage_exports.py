"""A company's itemised usage for a month as one file: asked for, followed (progress) and downloaded.

Who may is decided in selfcare.access (`company_to_export`: a main user whose power of attorney covers the whole
company, or a representative; never an employee) and each person sees only the exports they asked for
(`usage_exports_in`). The file is written by selfcare.spend.exports and served from the documents storage as an
attachment.
"""

from __future__ import annotations

import datetime
import uuid

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from selfcare.access.contexts import Context
from selfcare.access.policy import company_to_export, usage_exports_in
from selfcare.access.web import context_page
from selfcare.audit.services import record
from selfcare.spend.exports import export_file, export_request, file_name_for
from selfcare.spend.models import ExportFormat, ExportState
from selfcare.storage import StorageUnavailable

MONTHS_OFFERED = 12
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {ExportFormat.CSV: "text/csv; charset=utf-8", ExportFormat.XLSX: XLSX}


def _months() -> list[datetime.date]:
    first = timezone.localdate().replace(day=1)
    months = [first]
    while len(months) < MONTHS_OFFERED:
        months.append((months[-1] - datetime.timedelta(days=1)).replace(day=1))
    return months


class ExportForm(forms.Form):
    month = forms.ChoiceField(
        label=gettext_lazy("Month"), error_messages={"invalid_choice": gettext_lazy("Choose one of the months shown.")}
    )
    file_format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=ExportFormat.choices,
        widget=forms.RadioSelect,
        initial=ExportFormat.CSV,
        error_messages={
            "required": gettext_lazy("Choose CSV or XLSX."),
            "invalid_choice": gettext_lazy("Choose CSV or XLSX."),
        },
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["month"].choices = [  # type: ignore[attr-defined]
            (f"{m:%Y-%m}", f"{m:%m.%Y}") for m in _months()
        ]


def _company(acting: Context) -> int:
    company_id = company_to_export(acting)
    if company_id is None:
        raise Http404
    return company_id


@require_http_methods(["GET", "HEAD", "POST"])
@context_page
def usage_exports(request: HttpRequest) -> HttpResponse:
    acting: Context = request.acting  # type: ignore[attr-defined]
    identity = request.identity  # type: ignore[attr-defined]
    company_id = _company(acting)
    status = 200
    if request.method == "POST":
        form = ExportForm(request.POST)
        if form.is_valid():
            year, month = (int(part) for part in form.cleaned_data["month"].split("-"))
            export_request(
                request=request,
                identity=identity,
                context=acting,
                company_id=company_id,
                year=year,
                month=month,
                file_format=form.cleaned_data["file_format"],
            )
            return redirect("portal:usage-exports", context=acting.key)
        status = 400
    else:
        form = ExportForm()
    exports = list(usage_exports_in(identity, acting)[:20])
    pending = any(e.state in (ExportState.QUEUED, ExportState.RUNNING) for e in exports)
    return render(
        request, "portal/usage/exports.html", {"form": form, "exports": exports, "pending": pending}, status=status
    )


@require_safe
@context_page
def usage_export_download(request: HttpRequest, export_id: uuid.UUID) -> HttpResponse:
    acting: Context = request.acting  # type: ignore[attr-defined]
    identity = request.identity  # type: ignore[attr-defined]
    export = usage_exports_in(identity, acting).filter(pk=export_id, state=ExportState.DONE).first()
    if export is None:
        raise Http404
    try:
        data = export_file(export)
    except StorageUnavailable:
        return render(request, "portal/usage/exports.html", {"unavailable": True}, status=503)
    record(request, "portal:usage:company-export-download", identity=identity, context=acting, target=export)
    response = HttpResponse(data, content_type=CONTENT_TYPES[ExportFormat(export.file_format)])
    name = file_name_for(export, acting.registration_number)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
