"""The session registry (a person's logins as they can see and end them), the devices a person has logged in
from, and the database backend's rate-limit counters."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from selfcare.identity.models import DigitalIdentity


class EndReason(models.TextChoices):
    LOGOUT = "logout", _("Logged out")
    ENDED = "ended", _("Ended by the person")
    EXPIRED = "expired", _("Expired")


class UserSession(models.Model):
    """One login of a person in one browser, from login to logout or end.

    The Django session holds this row's id (never the other way round): the registry stores no session token,
    and the id survives the session key's rotation. A row with `ended_at` set ends the browser's session at its
    next request (selfcare.security.middleware), wherever the session data is kept (database or Redis).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    identity = models.ForeignKey(
        DigitalIdentity, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("digital identity")
    )
    method = models.CharField(_("method"), max_length=40)
    ip_address = models.GenericIPAddressField(_("network address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    login_at = models.DateTimeField(_("login"))
    last_seen_at = models.DateTimeField(_("last activity"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=10, choices=EndReason.choices, blank=True)

    class Meta:
        verbose_name = _("login session")
        verbose_name_plural = _("login sessions")
        ordering = ["-last_seen_at"]
        indexes = [models.Index(fields=["identity", "ended_at"], name="session_identity_open_idx")]

    def __str__(self) -> str:
        return f"{self.login_at:%Y-%m-%d %H:%M} {self.method}"


class KnownDevice(models.Model):
    """A browser a person has logged in from, named by the random id in its long-lived device cookie.

    Only a hash of the id is kept: the cookie is a bearer of "this browser is known", nothing more.
    """

    identity = models.ForeignKey(
        DigitalIdentity, on_delete=models.CASCADE, related_name="devices", verbose_name=_("digital identity")
    )
    device_digest = models.CharField(_("device (hash)"), max_length=64)
    first_seen_at = models.DateTimeField(_("first login"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last login"), auto_now=True)

    class Meta:
        verbose_name = _("known device")
        verbose_name_plural = _("known devices")
        constraints = [models.UniqueConstraint(fields=["identity", "device_digest"], name="known_device_unique")]
        # The Smart-ID login page asks whether a browser is known to anyone, by its digest alone.
        indexes = [models.Index(fields=["device_digest"], name="known_device_digest_idx")]

    def __str__(self) -> str:
        return self.device_digest[:12]


class RateCounter(models.Model):
    """One fixed window of one rate limit, for the database backend (no Redis)."""

    key = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("rate-limit counter")
        verbose_name_plural = _("rate-limit counters")

    def __str__(self) -> str:
        return f"{self.key}={self.count}"


class NotificationContact(models.Model):
    """Where a person wants security notices by e-mail (their identity carries no address of its own)."""

    identity = models.OneToOneField(
        DigitalIdentity, on_delete=models.CASCADE, related_name="notification_contact", verbose_name=_("identity")
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("notification contact")
        verbose_name_plural = _("notification contacts")

    def __str__(self) -> str:
        return self.email
