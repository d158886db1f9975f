"""Employee number bindings: a company connection bound to the person who proved they hold its number.

TM Forum mapping (DOMAIN.md §6): the connection's relatedParty with role "user" (TMF637), a TMF669 PartyRole
connectionUser. A company contract does not carry the employee's personal code; possession of the number does.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from selfcare.customers.models import Connection
from selfcare.identity.models import DigitalIdentity


class BindingStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class ConnectionBinding(models.Model):
    connection = models.ForeignKey(
        Connection, on_delete=models.PROTECT, related_name="bindings", verbose_name=_("connection")
    )
    identity = models.ForeignKey(
        DigitalIdentity, on_delete=models.PROTECT, related_name="bindings", verbose_name=_("digital identity")
    )
    status = models.CharField(_("status"), max_length=10, choices=BindingStatus.choices, default=BindingStatus.ACTIVE)
    bound_at = models.DateTimeField(_("bound"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    ended_reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("number binding")
        verbose_name_plural = _("number bindings")
        indexes = [models.Index(fields=["identity", "status"], name="binding_identity_idx")]
        constraints = [
            # One person uses a connection at a time: a new binding ends the old one (SECURITY.md, issue 7).
            models.UniqueConstraint(
                fields=["connection"],
                condition=Q(status=BindingStatus.ACTIVE),
                name="binding_one_active_per_connection",
            )
        ]

    def __str__(self) -> str:
        return f"{self.connection.msisdn} → {self.identity}"


class OneTimeCode(models.Model):
    """One request for a binding code: only the keyed hash of the code is kept, never the code (SECURITY.md).

    Every request is stored, also for a number that cannot be bound (then `connection` is empty and no SMS goes
    out): the per-identity limits count rows here, and they must not tell an eligible number from any other.
    """

    identity = models.ForeignKey(
        DigitalIdentity, on_delete=models.CASCADE, related_name="one_time_codes", verbose_name=_("digital identity")
    )
    msisdn = models.CharField(_("number"), max_length=16)
    connection = models.ForeignKey(
        Connection,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="one_time_codes",
        verbose_name=_("connection"),
    )
    code_hash = models.CharField(_("code hash"), max_length=64)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    attempts = models.PositiveSmallIntegerField(_("wrong attempts"), default=0)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        indexes = [
            models.Index(fields=["identity", "created_at"], name="otp_identity_created_idx"),
            models.Index(fields=["msisdn", "created_at"], name="otp_msisdn_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.msisdn} ({self.created_at:%Y-%m-%d %H:%M})"


class FailureLockoutCleared(models.Model):
    """Customer service cleared a person's wrong-code lockout (otp.MAX_CONSECUTIVE_FAILURES): wrong attempts are
    counted again from this moment. Kept, never edited: who cleared it, when, and how many failures it cleared."""

    identity = models.ForeignKey(
        DigitalIdentity,
        on_delete=models.PROTECT,
        related_name="failure_lockouts_cleared",
        verbose_name=_("digital identity"),
    )
    cleared_at = models.DateTimeField(_("cleared"), default=timezone.now)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("cleared by")
    )
    failures = models.PositiveIntegerField(_("wrong attempts cleared"))

    class Meta:
        verbose_name = _("cleared code lockout")
        verbose_name_plural = _("cleared code lockouts")
        indexes = [models.Index(fields=["identity", "cleared_at"], name="otp_lockout_cleared_idx")]

    def __str__(self) -> str:
        return f"{self.identity_id} ({self.cleared_at:%Y-%m-%d %H:%M})"


class SmsStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class SmsMessage(models.Model):
    """An SMS and the record of its delivery: queued in the transaction that wrote it, sent after commit."""

    to = models.CharField(_("to"), max_length=16)
    text = models.TextField(_("text"))
    backend = models.CharField(_("backend"), max_length=200)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    status = models.CharField(_("status"), max_length=10, choices=SmsStatus.choices, default=SmsStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    message_id = models.CharField(_("gateway message id"), max_length=100, blank=True)
    error = models.CharField(_("last error"), max_length=300, blank=True)
    # When the worker may try a queued message again: set by each attempt's claim and after a failed pass.
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)

    class Meta:
        verbose_name = _("SMS message")
        verbose_name_plural = _("SMS messages")
        indexes = [models.Index(fields=["to", "created_at"], name="sms_to_created_idx")]

    def __str__(self) -> str:
        return f"{self.to} ({self.status})"
