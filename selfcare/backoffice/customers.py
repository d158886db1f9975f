"""Back office for customer data: plans, companies, accounts and connections."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from selfcare.backoffice.site import IdentifierSearchMixin, backoffice_site
from selfcare.customers.models import Company, Connection, CustomerAccount, TariffPlan


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
