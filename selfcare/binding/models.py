"""Employee number bindings: a company connection bound to the person who proved they hold its number.

TM Forum mapping (DOMAIN.md §6): the connection's relatedParty with role "user" (TMF637), a TMF669 PartyRole
connectionUser. A company contract does not carry the employee's personal code; possession of the number does.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
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
