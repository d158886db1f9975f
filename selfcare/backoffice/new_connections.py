"""Back office: new connections ordered in the portal, with their signed contracts, their state at the operator and
what was flagged (an eSIM not ready in time, a delivery address many orders name). Read-only: the operator's order
system decides; customer service takes a flagged order up with the operator. Opening one is audited and shown to the
person (StaffModelAdmin)."""

from __future__ import annotations

import uuid

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from selfcare.access.staff import Resource
from selfcare.backoffice.site import StaffModelAdmin, backoffice_site
from selfcare.identity.models import DigitalIdentity
from selfcare.orders.models import NewConnectionOrder
from selfcare.storage import read


class FlaggedFilter(admin.SimpleListFilter):
    title = _("flagged to the back office")
    parameter_name = "flagged"

    def lookups(self, request: HttpRequest, model_admin: object) -> list[tuple[str, str]]:
        return [("yes", str(_("Yes"))), ("no", str(_("No")))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[NewConnectionOrder]) -> QuerySet[NewConnectionOrder]:
        if self.value() == "yes":
            return queryset.exclude(flagged="")
        if self.value() == "no":
            return queryset.filter(flagged="")
        return queryset


@admin.register(NewConnectionOrder, site=backoffice_site)
class NewConnectionOrderAdmin(StaffModelAdmin[NewConnectionOrder]):
    resource = Resource.CUSTOMERS
    list_display = ["created_at", "msisdn", "plan_name", "company", "ordered_by", "sim_kind", "state", "flagged"]
    list_filter = ["state", FlaggedFilter, "sim_kind", "number_choice"]
    list_select_related = ["company", "ordered_by"]
    search_fields = ["msisdn", "external_id"]
    exclude = ["offered_numbers", "contract_name"]
    readonly_fields = ["contract"]

    def get_readonly_fields(self, request: HttpRequest, obj: NewConnectionOrder | None = None) -> list[str]:
        return ["contract", *(f.name for f in NewConnectionOrder._meta.fields if f.name not in self.exclude)]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description=_("signed contract"))
    def contract(self, obj: NewConnectionOrder) -> str:
        if not obj.contract_name:
            return "—"
        url = reverse("backoffice:orders_newconnectionorder_contract", args=[obj.pk])
        return format_html('<a href="{}" data-testid="contract">{}</a>', url, _("download (PDF)"))

    def subject_of(self, obj: NewConnectionOrder) -> tuple[DigitalIdentity | None, int | None]:
        return obj.ordered_by, obj.company_id

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("<uuid:pk>/contract/", view(self.contract_view), name="orders_newconnectionorder_contract"),
            *super().get_urls(),
        ]

    def contract_view(self, request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
        order = get_object_or_404(NewConnectionOrder, pk=pk)
        if not self.has_view_permission(request, order) or not order.contract_name:
            return redirect("backoffice:index")
        response = HttpResponse(read(order.contract_name), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="contract-{order.pk}.pdf"'
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "sandbox; default-src 'none'"
        response["Cache-Control"] = "no-store"
        return response
