"""The operator's customer data: companies, customer accounts, connections and tariff plans.

TM Forum mapping (DOMAIN.md §6): Company = TMF632 Organization; CustomerAccount = TMF629 Customer with its
TMF666 billing account folded in (one account, one billing cycle); Connection = TMF637 Product whose MSISDN is its
logical resource; TariffPlan = TMF620 ProductOffering with its price and allowances.

Data volumes are integers of bytes; money is Decimal EUR excluding VAT; times are aware.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from selfcare.errors import MESSAGES, ErrorCode
from selfcare.identifiers.fields import (
    MsisdnField,
    PersonalCodeField,
    RegistrationNumberField,
    VatNumberField,
)

GB = 1000**3


class Segment(models.TextChoices):
    PRIVATE = "private", _("Private")
    BUSINESS = "business", _("Business")


class TariffPlan(models.Model):
    """A plan and its monthly allowances. A NULL allowance means unlimited."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    segment = models.CharField(_("segment"), max_length=10, choices=Segment.choices)
    monthly_fee = models.DecimalField(_("monthly fee, EUR excl. VAT"), max_digits=8, decimal_places=2)
    data_bytes = models.BigIntegerField(
        _("national data, bytes"), null=True, blank=True, help_text=_("Empty means unlimited.")
    )
    fair_use_bytes = models.BigIntegerField(
        _("fair-use cap, bytes"), null=True, blank=True, help_text=_("Required for unlimited data.")
    )
    eu_data_bytes = models.BigIntegerField(_("EU roaming data, bytes"))
    voice_minutes = models.PositiveIntegerField(
        _("minutes"), null=True, blank=True, help_text=_("Empty means unlimited.")
    )
    sms = models.PositiveIntegerField(_("SMS"), null=True, blank=True, help_text=_("Empty means unlimited."))
    is_active = models.BooleanField(_("sold now"), default=True)

    class Meta:
        verbose_name = _("tariff plan")
        verbose_name_plural = _("tariff plans")
        ordering = ["segment", "monthly_fee", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(data_bytes__isnull=False) | Q(fair_use_bytes__isnull=False),
                name="tariffplan_unlimited_data_has_fair_use_cap",
            ),
            models.CheckConstraint(condition=Q(monthly_fee__gte=0), name="tariffplan_fee_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_unlimited_data(self) -> bool:
        return self.data_bytes is None

    def clean(self) -> None:
        if self.data_bytes is None and self.fair_use_bytes is None:
            raise ValidationError({"fair_use_bytes": _("Unlimited data needs a fair-use cap.")})


class CompanyStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


class Company(models.Model):
    name = models.CharField(_("name"), max_length=200)
    registration_number = RegistrationNumberField(_("registration number"), unique=True)
    vat_number = VatNumberField(_("VAT number"), blank=True)
    legal_address = models.CharField(_("legal address"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=CompanyStatus.choices, default=CompanyStatus.ACTIVE)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.registration_number})"


class AccountStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


class CustomerAccountQuerySet(models.QuerySet["CustomerAccount"]):
    def held_by(self, *, country: str, personal_code: str) -> CustomerAccountQuerySet:
        """Private accounts whose contract carries this personal code."""
        return self.filter(kind=Segment.PRIVATE, holder_country=country, holder_personal_code=personal_code)


class CustomerAccount(models.Model):
    """A contract with the operator: private (a person, by personal code) or business (a company)."""

    account_number = models.CharField(_("account number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Segment.choices)
    company = models.ForeignKey(
        Company,
        verbose_name=_("company"),
        on_delete=models.PROTECT,
        related_name="accounts",
        null=True,
        blank=True,
    )
    holder_country = models.CharField(_("holder's country"), max_length=2, blank=True, default="")
    holder_personal_code = PersonalCodeField(_("holder's personal code"), blank=True, default="")
    holder_name = models.CharField(_("holder's name"), max_length=200, blank=True)
    billing_cycle_day = models.PositiveSmallIntegerField(
        _("billing cycle day"),
        default=1,
        validators=[
            MinValueValidator(1, MESSAGES[ErrorCode.BILLING_CYCLE_DAY]),
            MaxValueValidator(31, MESSAGES[ErrorCode.BILLING_CYCLE_DAY]),
        ],
        help_text=_("Allowances renew on this day of the month, or on its last day in a shorter month."),
    )
    status = models.CharField(_("status"), max_length=10, choices=AccountStatus.choices, default=AccountStatus.ACTIVE)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CustomerAccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer account")
        verbose_name_plural = _("customer accounts")
        ordering = ["account_number"]
        indexes = [models.Index(fields=["holder_country", "holder_personal_code"], name="account_holder_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind=Segment.PRIVATE, company__isnull=True)
                    & ~Q(holder_personal_code="")
                    & ~Q(holder_country="")
                    & ~Q(holder_name="")
                )
                | Q(kind=Segment.BUSINESS, company__isnull=False, holder_personal_code=""),
                name="account_private_holder_xor_company",
            ),
            models.CheckConstraint(
                condition=Q(billing_cycle_day__gte=1, billing_cycle_day__lte=31),
                name="account_cycle_day_1_31",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_number} — {self.holder_display}"

    @property
    def holder_display(self) -> str:
        return self.company.name if self.company_id and self.company else self.holder_name

    def clean(self) -> None:
        if self.kind == Segment.PRIVATE and not self.holder_country:
            self.holder_country = "LV"
        private_ok = (
            self.kind == Segment.PRIVATE
            and self.company_id is None
            and bool(self.holder_personal_code)
            and bool(self.holder_name)
        )
        business_ok = self.kind == Segment.BUSINESS and self.company_id is not None and not self.holder_personal_code
        if not (private_ok or business_ok):
            raise ValidationError(MESSAGES[ErrorCode.ACCOUNT_HOLDER], code=ErrorCode.ACCOUNT_HOLDER)


class ConnectionStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")


class SimState(models.TextChoices):
    ACTIVE = "active", _("Active")
    LOST = "lost", _("Blocked: lost")
    STOLEN = "stolen", _("Blocked: stolen")


class ConnectionQuerySet(models.QuerySet["Connection"]):
    def not_terminated(self) -> ConnectionQuerySet:
        return self.exclude(status=ConnectionStatus.TERMINATED)


class Connection(models.Model):
    """A mobile connection (subscription) on an account, identified to people by its MSISDN."""

    msisdn = MsisdnField(_("number"))
    account = models.ForeignKey(
        CustomerAccount, verbose_name=_("account"), on_delete=models.PROTECT, related_name="connections"
    )
    tariff_plan = models.ForeignKey(
        TariffPlan, verbose_name=_("tariff plan"), on_delete=models.PROTECT, related_name="connections"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ConnectionStatus.choices, default=ConnectionStatus.ACTIVE
    )
    activated_on = models.DateField(_("activated on"))
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    user_label = models.CharField(
        _("user label"),
        max_length=100,
        blank=True,
        help_text=_("As the company wrote it, e.g. the employee's name."),
    )
    sim_changed_at = models.DateTimeField(_("last SIM change"), null=True, blank=True)
    # What the operator's order management last reported as done (selfcare.orders applies completed orders only):
    # the portal's view of the connection never runs ahead of the operator's systems.
    cost_centre = models.CharField(_("cost centre"), max_length=50, blank=True)
    sim_state = models.CharField(_("SIM"), max_length=10, choices=SimState.choices, default=SimState.ACTIVE)
    barrings = models.JSONField(_("barred services"), default=list, blank=True)
    packs = models.JSONField(_("packs and services"), default=list, blank=True)
    suspended_until = models.DateField(_("suspended until"), null=True, blank=True)
    ported_in_at = models.DateTimeField(_("ported in"), null=True, blank=True)

    objects = ConnectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("connection")
        verbose_name_plural = _("connections")
        ordering = ["msisdn"]
        indexes = [
            models.Index(fields=["account", "status"], name="connection_account_status_idx"),
            models.Index(fields=["msisdn"], name="connection_msisdn_idx"),
        ]
        constraints = [
            # A number is reused after termination, so uniqueness holds only among live connections.
            models.UniqueConstraint(
                fields=["msisdn"],
                condition=~Q(status=ConnectionStatus.TERMINATED),
                name="connection_msisdn_unique_while_live",
                violation_error_message=MESSAGES[ErrorCode.MSISDN_IN_USE],
            ),
            models.CheckConstraint(
                condition=Q(status=ConnectionStatus.TERMINATED, terminated_on__isnull=False)
                | (~Q(status=ConnectionStatus.TERMINATED) & Q(terminated_on__isnull=True)),
                name="connection_terminated_has_date",
            ),
        ]

    def __str__(self) -> str:
        return str(self.msisdn)

    def clean(self) -> None:
        if self.status == ConnectionStatus.TERMINATED and self.terminated_on is None:
            raise ValidationError({"terminated_on": _("A terminated connection needs its termination date.")})
        if self.status != ConnectionStatus.TERMINATED and self.terminated_on is not None:
            raise ValidationError({"terminated_on": _("Only a terminated connection has a termination date.")})
