"""Back office for customer data: plans, companies, accounts and connections."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from selfcare.access.staff import Resource
from selfcare.backoffice.site import IdentifierSearchMixin, StaffModelAdmin, backoffice_site
from selfcare.customers.models import Company, Connection, CustomerAccount, TariffPlan
from selfcare.identity.models import DigitalIdentity


def _holder(account: CustomerAccount) -> DigitalIdentity | None:
    """The person whose private account this is, when they have a digital identity."""
    if not account.holder_personal_code:
        return None
    return DigitalIdentity.objects.filter(
        identifiers__country=account.holder_country, identifiers__code=account.holder_personal_code
    ).first()


@admin.register(TariffPlan, site=backoffice_site)
class TariffPlanAdmin(StaffModelAdmin[TariffPlan]):
    resource = Resource.CUSTOMERS
    list_display = ["name", "code", "segment", "monthly_fee", "data_bytes", "eu_data_bytes", "is_active"]
    list_filter = ["segment", "is_active"]
    search_fields = ["name", "code"]


@admin.register(Company, site=backoffice_site)
class CompanyAdmin(IdentifierSearchMixin, StaffModelAdmin[Company]):
    resource = Resource.CUSTOMERS
    list_display = ["name", "registration_number", "vat_number", "status"]
    list_filter = ["status"]
    search_fields = ["name"]  # enables the search box; the mixin decides the matching
    identifier_fields = ("registration_number",)
    text_fields = ("name",)


@admin.register(CustomerAccount, site=backoffice_site)
class CustomerAccountAdmin(IdentifierSearchMixin, StaffModelAdmin[CustomerAccount]):
    resource = Resource.CUSTOMERS
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

    def subject_of(self, obj: CustomerAccount) -> tuple[DigitalIdentity | None, int | None]:
        return _holder(obj), obj.company_id


@admin.register(Connection, site=backoffice_site)
class ConnectionAdmin(IdentifierSearchMixin, StaffModelAdmin[Connection]):
    resource = Resource.CUSTOMERS
    list_display = ["msisdn", "user_label", "account", "tariff_plan", "status", "activated_on"]
    list_filter = ["status", "tariff_plan"]
    list_select_related = ["account__company", "tariff_plan"]
    search_fields = ["msisdn"]
    raw_id_fields = ["account"]
    # What the operator's order management reported done (selfcare.orders): shown, changed only by orders.
    readonly_fields = ["cost_centre", "sim_state", "barrings", "packs", "suspended_until"]
    identifier_fields = (
        "msisdn",
        "account__account_number",
        "account__holder_personal_code",
        "account__company__registration_number",
    )
    text_fields = ("user_label",)

    def subject_of(self, obj: Connection) -> tuple[DigitalIdentity | None, int | None]:
        return _holder(obj.account), obj.account.company_id
