"""The audit trail: who (identity), in which context, did what, to which object, when (UTC) and from where.

Append-only for the application (SECURITY.md "Audit"): a saved event cannot be changed or deleted through the
ORM. Actions are tagged `area:subject:action` (e.g. "portal:connection:view"), as warehouse does.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from selfcare.identity.models import DigitalIdentity


class AppendOnlyError(Exception):
    """An audit event was about to be changed or deleted."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("audit events are never changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events are never deleted")


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    # No index of its own for either person (db_index=False): the (person, time) indexes below lead with it and
    # serve every lookup by person, including the PROTECT check; a second index was one more write per event,
    # and every page view, login and token issue writes one.
    identity = models.ForeignKey(
        DigitalIdentity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        related_name="audit_events",
        verbose_name=_("digital identity"),
    )
    context = models.CharField(_("context"), max_length=40, blank=True, help_text=_('e.g. "private", "company-12"'))
    company_id = models.BigIntegerField(_("company"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=60)
    # Staff actions (back office): the role the staff member acted in, and the person whose data it was, who sees
    # the event on their own security page (SECURITY.md "Staff"; Estonia's data tracker).
    staff_role = models.CharField(_("staff role"), max_length=30, blank=True)
    subject = models.ForeignKey(
        DigitalIdentity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        related_name="staff_events",
        verbose_name=_("person concerned"),
    )
    object_type = models.CharField(_("object type"), max_length=40, blank=True)
    object_id = models.CharField(_("object"), max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(_("network address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-occurred_at"]
        # The company's and the person concerned's indexes hold only the events that have one (partial): most
        # events (a private page, a login, a token) have neither, and skip those two index writes. A lookup by
        # either value still uses its index, and the company's log comes in time order from it.
        indexes = [
            models.Index(fields=["identity", "-occurred_at"], name="audit_identity_time_idx"),
            models.Index(
                fields=["subject", "-occurred_at"],
                name="audit_subject_time_idx",
                condition=models.Q(subject__isnull=False),
            ),
            models.Index(
                fields=["company_id", "-occurred_at"],
                name="audit_company_time_idx",
                condition=models.Q(company_id__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("audit events are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events are never deleted")
