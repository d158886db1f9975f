"""The back office: Django's admin on its own site, for staff only, with identifier-aware search."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from selfcare.backoffice.search import normalised_terms
from selfcare.customers.models import Company, Connection, CustomerAccount, TariffPlan


class BackofficeSite(admin.AdminSite):
    site_header = _("Back office")
    site_title = _("Back office")
    index_title = _("Customers and connections")

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff)


backoffice_site = BackofficeSite(name="backoffice")


class IdentifierSearchMixin:
    """Search that matches identifiers exactly in any typed form, and names by substring."""

    identifier_fields: tuple[str, ...] = ()
    text_fields: tuple[str, ...] = ()

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        if not search_term.strip():
            return queryset, False
        condition = Q()
        for term in normalised_terms(search_term):
            for field in self.identifier_fields:
                condition |= Q(**{field: term})
        for field in self.text_fields:
            condition |= Q(**{f"{field}__icontains": search_term.strip()})
        return queryset.filter(condition), False


@admin.register(TariffPlan, site=backoffice_site)
class TariffPlanAdmin(admin.ModelAdmin[TariffPlan]):
    list_display = ["name", "code", "segment", "monthly_fee", "data_bytes", "eu_data_bytes", "is_active"]
    list_filter = ["segment", "is_active"]
    search_fields = ["name", "code"]


@admin.register(Company, site=backoffice_site)
class CompanyAdmin(IdentifierSearchMixin, admin.ModelAdmin[Company]):
    list_display = ["name", "registration_number", "vat_number", "status"]
    list_filter = ["status"]
    search_fields = ["name"]  # enables the search box; the mixin decides the matching
    identifier_fields = ("registration_number",)
    text_fields = ("name",)


@admin.register(CustomerAccount, site=backoffice_site)
class CustomerAccountAdmin(IdentifierSearchMixin, admin.ModelAdmin[CustomerAccount]):
    list_display = ["account_number", "kind", "holder_display", "billing_cycle_day", "status"]
    list_filter = ["kind", "status"]
    list_select_related = ["company"]
    search_fields = ["account_number"]
    autocomplete_fields = ["company"]
    identifier_fields = ("account_number", "holder_personal_code", "company__registration_number")
    text_fields = ("holder_name", "company__name")

    @admin.display(description=_("holder"))
    def holder_display(self, obj: CustomerAccount) -> str:
        return obj.holder_display


@admin.register(Connection, site=backoffice_site)
class ConnectionAdmin(IdentifierSearchMixin, admin.ModelAdmin[Connection]):
    list_display = ["msisdn", "user_label", "account", "tariff_plan", "status", "activated_on"]
    list_filter = ["status", "tariff_plan"]
    list_select_related = ["account__company", "tariff_plan"]
    search_fields = ["msisdn"]
    raw_id_fields = ["account"]
    identifier_fields = (
        "msisdn",
        "account__account_number",
        "account__holder_personal_code",
        "account__company__registration_number",
    )
    text_fields = ("user_label",)
