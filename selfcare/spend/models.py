"""Spend caps and the alerts they raised.

A cap is per connection, set by whoever manages it (a company's main user, a private customer): an amount of
out-of-bundle charges per cycle (`selfcare.usage.models.CycleSpend`), the percentages of it that raise an alert,
whether 80 % of the data bundle raises one too, and who is told. At 100 % the cap tells; it does not bar
anything (barring through an order is not built yet).

An alert is a row per (connection, cycle, reason, threshold): the unique constraint is what makes it once per
threshold and cycle, whatever the order of events, late ones or replays.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from selfcare.customers.models import Connection
from selfcare.identity.models import DigitalIdentity
from selfcare.usage.models import BillingCycle

MAX_EXTRA_RECIPIENTS = 3
DATA_ALERT_PERCENT = 80


class Reason(models.TextChoices):
    SPEND = "spend", _("Spend")
    DATA = "data", _("Data bundle")


class SpendCap(models.Model):
    connection = models.OneToOneField(
        Connection, on_delete=models.CASCADE, related_name="spend_cap", verbose_name=_("connection")
    )
    amount = models.DecimalField(_("monthly cap, EUR excl. VAT"), max_digits=10, decimal_places=2)
    # Percentages of the amount, ascending, e.g. [70, 100].
    thresholds = models.JSONField(_("alert thresholds, %"), default=list)
    data_alert = models.BooleanField(_("alert at 80 % of the data bundle"), default=True)
    tell_user = models.BooleanField(_("tell the number's user"), default=True)
    tell_main_user = models.BooleanField(_("tell the main user"), default=True)
    # Up to three more numbers (E.164) or e-mail addresses.
    extra_recipients = models.JSONField(_("more recipients"), default=list, blank=True)
    set_by = models.ForeignKey(
        DigitalIdentity, on_delete=models.PROTECT, related_name="+", verbose_name=_("set by"), null=True, blank=True
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("spend cap")
        verbose_name_plural = _("spend caps")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="spend_cap_amount_positive")]

    def __str__(self) -> str:
        return f"{self.connection_id}: {self.amount}"


class SpendAlert(models.Model):
    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="spend_alerts", db_index=False)
    cycle = models.ForeignKey(BillingCycle, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=5, choices=Reason.choices)
    threshold = models.PositiveSmallIntegerField(_("threshold, %"))
    # What was reached when the alert was raised: the spend (EUR) for a spend alert, the cap it was measured on.
    spend = models.DecimalField(_("spend, EUR excl. VAT"), max_digits=12, decimal_places=2, null=True, blank=True)
    cap = models.DecimalField(_("cap, EUR excl. VAT"), max_digits=10, decimal_places=2, null=True, blank=True)
    raised_at = models.DateTimeField(_("raised"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("spend alert")
        verbose_name_plural = _("spend alerts")
        ordering = ["-raised_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "cycle", "reason", "threshold"], name="spend_alert_once_per_cycle"
            )
        ]

    def __str__(self) -> str:
        return f"{self.connection_id} {self.reason} {self.threshold}%"
