"""Spend caps and the alerts they raised.

A cap is per connection, set by whoever manages it (a company's main user, a private customer): an amount of
out-of-bundle charges per cycle (`selfcare.usage.models.CycleSpend`), the percentages of it that raise an alert,
whether 80 % of the data bundle raises one too, and who is told. At 100 % the cap only tells, or, if its owner
chose so, bars chargeable services through an order (`CapBarring`, selfcare/spend/barring.py) until the cycle ends.

An alert is a row per (connection, cycle, reason, threshold): the unique constraint is what makes it once per
threshold and cycle, whatever the order of events, late ones or replays.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from selfcare.customers.models import Company, Connection
from selfcare.identity.models import DigitalIdentity
from selfcare.orders.models import Order, OrderState
from selfcare.usage.models import BillingCycle

MAX_EXTRA_RECIPIENTS = 3
DATA_ALERT_PERCENT = 80


class Reason(models.TextChoices):
    SPEND = "spend", _("Spend")
    DATA = "data", _("Data bundle")


class AtCap(models.TextChoices):
    """What happens when the spend reaches 100 % of the cap."""

    TELL = "tell", _("Only tell")
    BAR = "bar", _("Bar chargeable services until the cycle ends")


class SpendCap(models.Model):
    connection = models.OneToOneField(
        Connection, on_delete=models.CASCADE, related_name="spend_cap", verbose_name=_("connection")
    )
    amount = models.DecimalField(_("monthly cap, EUR excl. VAT"), max_digits=10, decimal_places=2)
    # Percentages of the amount, ascending, e.g. [70, 100].
    thresholds = models.JSONField(_("alert thresholds, %"), default=list)
    data_alert = models.BooleanField(_("alert at 80 % of the data bundle"), default=True)
    at_cap = models.CharField(_("at 100 % of the cap"), max_length=4, choices=AtCap.choices, default=AtCap.TELL)
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


class LiftReason(models.TextChoices):
    CYCLE = "cycle", _("The new cycle started")
    CAP_RAISED = "cap_raised", _("The cap was raised")
    CAP_CHANGED = "cap_changed", _("The cap no longer bars")
    CAP_REMOVED = "cap_removed", _("The cap was removed")
    BY_HAND = "by_hand", _("Lifted by hand")


class CapBarring(models.Model):
    """Chargeable services barred because a connection's spend reached its cap: one per (connection, cycle, cap
    amount), inserted with ON CONFLICT DO NOTHING like the alerts, so late or repeated events place one order.

    The cap's amount is in the key so that a raised cap that is reached again bars again in the same cycle, while
    a barring lifted by hand stays lifted for the amount it was lifted at. `bar_order` and `lift_order` are the
    orders to the operator (selfcare.orders, kinds CAP_BAR and CAP_LIFT); whether the connection is barred is what
    the operator reported (the connection's barrings), not this row. A lift is wanted (`lift_reason`) at once and
    placed once the bar order has ended (selfcare.spend.barring.barrings_follow_up).
    """

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="cap_barrings", db_index=False)
    cycle = models.ForeignKey(BillingCycle, on_delete=models.PROTECT, related_name="+")
    cap_amount = models.DecimalField(_("cap, EUR excl. VAT"), max_digits=10, decimal_places=2)
    spend = models.DecimalField(_("spend, EUR excl. VAT"), max_digits=12, decimal_places=2)
    reached_at = models.DateTimeField(_("cap reached"))
    bar_order = models.OneToOneField(
        Order, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("barring order")
    )
    # Set when the barring is not placed after all (the cap changed, another barring already holds, no owner).
    skipped = models.CharField(_("not placed because"), max_length=40, blank=True)
    lift_reason = models.CharField(_("lifted because"), max_length=12, choices=LiftReason.choices, blank=True)
    lift_wanted_at = models.DateTimeField(_("lift wanted"), null=True, blank=True)
    lift_order = models.OneToOneField(
        Order, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("lifting order")
    )
    # When the cap's recipients were told that the barring is in place; when nothing more is to be done (lifted and
    # told, not placed, or the operator refused the barring).
    told_barred_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("barring at the spend cap")
        verbose_name_plural = _("barrings at the spend cap")
        ordering = ["-reached_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["connection", "cycle", "cap_amount"], name="cap_barring_once_per_cycle_and_amount"
            )
        ]
        indexes = [
            # The follow-up's sweep reads the open ones: few at any time, whatever the history.
            models.Index(fields=["closed_at"], name="cap_barring_open", condition=Q(closed_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.connection_id} at {self.cap_amount}"

    @property
    def stage(self) -> str:
        """Where it stands as the pages say it: "barring", "barred", "lifting", "lifted" or "refused" (the operator
        did not bar); "" before an order is placed. Reads the orders, so select them with the row."""
        bar, lift = self.bar_order, self.lift_order
        if bar is None:
            return ""
        if bar.state in (OrderState.FAILED, OrderState.REJECTED, OrderState.DECLINED):
            return "refused"
        if bar.state != OrderState.COMPLETED:
            return "lifting" if self.lift_reason else "barring"
        if lift is not None and lift.state == OrderState.COMPLETED:
            return "lifted"
        return "lifting" if self.lift_reason else "barred"


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


class ExportState(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Being prepared")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class UsageExport(models.Model):
    """A company's itemised usage for a calendar month as one file, asked for by a main user or a representative.

    Written by selfcare.spend.exports (at once when small, by a worker when large), kept in the documents storage
    under `file_name`; `rows_done` of `rows_total` is the progress the page shows. Each person sees their own.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+", verbose_name=_("company"))
    context = models.CharField(_("context"), max_length=40)
    requested_by = models.ForeignKey(
        DigitalIdentity, on_delete=models.PROTECT, related_name="+", verbose_name=_("asked for by")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    file_format = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices)
    # The header's and the labels' language: the one the person asked in (a worker writes it later).
    language = models.CharField(_("language"), max_length=8, default="lv")
    state = models.CharField(_("state"), max_length=8, choices=ExportState.choices, default=ExportState.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    file_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("asked for"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("company usage export")
        verbose_name_plural = _("company usage exports")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["company", "requested_by", "-created_at"], name="usage_export_by_person")]

    def __str__(self) -> str:
        return f"{self.company_id} {self.year}-{self.month:02d}.{self.file_format}"

    @property
    def percent(self) -> int:
        if self.state == ExportState.DONE:
            return 100
        return int(self.rows_done * 100 / self.rows_total) if self.rows_total else 0
