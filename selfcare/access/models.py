"""Facts the access module decides on for staff: which staff role a digital identity holds, and the four-eyes
requests that wait for a second staff member.

A role is held by a digital identity (a person who logs in with eID), never by a user name with a password. Rows
are never deleted: removing a role sets `revoked_at`, so the history of who could do what stays readable.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from selfcare.identity.models import DigitalIdentity


class StaffRole(models.TextChoices):
    CUSTOMER_SERVICE = "customer_service", _("customer service")
    MANDATE_OFFICER = "mandate_officer", _("mandate officer")
    OFFERS_EDITOR = "offers_editor", _("offers editor")
    AUDITOR = "auditor", _("auditor")
    ADMINISTRATOR = "administrator", _("administrator")


class StaffRoleGrantQuerySet(models.QuerySet["StaffRoleGrant"]):
    def live(self) -> StaffRoleGrantQuerySet:
        return self.filter(revoked_at__isnull=True)


class StaffRoleGrant(models.Model):
    identity = models.ForeignKey(
        DigitalIdentity, on_delete=models.PROTECT, related_name="staff_roles", verbose_name=_("staff member")
    )
    role = models.CharField(_("role"), max_length=30, choices=StaffRole.choices)
    granted_at = models.DateTimeField(_("granted"))
    granted_by = models.ForeignKey(
        DigitalIdentity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
        help_text=_("Empty when granted from the command line on the server."),
    )
    approved_by = models.ForeignKey(
        DigitalIdentity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    revoked_at = models.DateTimeField(_("removed"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        DigitalIdentity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("removed by"),
    )

    objects = StaffRoleGrantQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        ordering = ["-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["identity", "role"], condition=models.Q(revoked_at__isnull=True), name="staff_role_live_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.identity} — {self.get_role_display()}"


class ApprovalKind(models.TextChoices):
    MANDATE_ACTIVATE = "mandate_activate", _("activate a power of attorney that failed verification")
    CODE_CHANGE = "code_change", _("change a personal code")
    ROLE_GRANT = "role_grant", _("grant the administrator role")


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("waiting for approval")
    APPROVED = "approved", _("approved and done")
    REJECTED = "rejected", _("rejected")
    FAILED = "failed", _("approved, but the action was refused")


class ApprovalRequest(models.Model):
    """A sensitive action asked by one staff member, done only when a second, different one approves it."""

    kind = models.CharField(_("action"), max_length=30, choices=ApprovalKind.choices)
    target_id = models.CharField(_("object"), max_length=64)
    payload = models.JSONField(_("details"), default=dict)
    subject = models.ForeignKey(
        DigitalIdentity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person concerned"),
    )
    company_id = models.BigIntegerField(_("company"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    requested_by = models.ForeignKey(
        DigitalIdentity, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_role = models.CharField(_("requested as"), max_length=30, choices=StaffRole.choices)
    requested_at = models.DateTimeField(_("requested"))
    decided_by = models.ForeignKey(
        DigitalIdentity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_role = models.CharField(_("decided as"), max_length=30, choices=StaffRole.choices, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("four-eyes request")
        verbose_name_plural = _("four-eyes requests")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"
