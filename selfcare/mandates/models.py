"""Powers of attorney ("main user rights"): a company lets a person act for it in the portal.

TM Forum mapping (DOMAIN.md §6): a TMF669 PartyRole of roleType mainUser, engaged party the attorney (a Person,
named by personal code), related party the company. A mandate names the attorney by personal code, not by
digital identity: the attorney may not have logged in yet.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from selfcare.customers.models import Company
from selfcare.identifiers.fields import PersonalCodeField


class MandateStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")
    REJECTED = "rejected", _("Rejected")


class MandateScope(models.TextChoices):
    ALL = "all", _("All connections")
    SELECTED = "selected", _("Selected connections")


class MandateQuerySet(models.QuerySet["Mandate"]):
    def in_force(self, on: datetime.date | None = None) -> MandateQuerySet:
        """Active and within their validity on that day (today in Riga by default).

        Status alone is not enough: a mandate past its end date gives nothing even before the expiry task has
        marked it expired.
        """
        day = on or timezone.localdate()
        return self.filter(status=MandateStatus.ACTIVE, valid_from__lte=day, valid_until__gte=day)

    def of_codes(self, codes: list[tuple[str, str]]) -> MandateQuerySet:
        condition = Q(pk__in=[])
        for country, code in codes:
            condition |= Q(attorney_country=country, attorney_code=code)
        return self.filter(condition)


class Mandate(models.Model):
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="mandates", verbose_name=_("company"))
    attorney_country = models.CharField(_("attorney's country"), max_length=2, default="LV")
    attorney_code = PersonalCodeField(_("attorney's personal code"))
    attorney_name = models.CharField(_("attorney's name"), max_length=200)
    scope = models.CharField(_("scope"), max_length=10, choices=MandateScope.choices, default=MandateScope.ALL)
    connections = models.ManyToManyField(
        "customers.Connection", blank=True, related_name="+", verbose_name=_("selected connections")
    )
    status = models.CharField(_("status"), max_length=10, choices=MandateStatus.choices, default=MandateStatus.DRAFT)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    status_reason = models.CharField(_("reason"), max_length=300, blank=True)

    objects = MandateQuerySet.as_manager()

    class Meta:
        verbose_name = _("power of attorney")
        verbose_name_plural = _("powers of attorney")
        ordering = ["-valid_until"]
        indexes = [
            models.Index(fields=["attorney_country", "attorney_code", "status"], name="mandate_attorney_idx"),
            models.Index(fields=["company", "status"], name="mandate_company_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gte=models.F("valid_from")), name="mandate_valid_range")
        ]

    def __str__(self) -> str:
        return f"{self.attorney_name} → {self.company.name} ({self.get_status_display()})"
