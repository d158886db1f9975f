"""The digital identity of a person, the national identifiers that point to it, and every authentication attempt.

TM Forum mapping (DOMAIN.md §6): DigitalIdentity = TMF720 DigitalIdentity (its id is the subject channels see,
made pairwise per client by the OpenID provider); NationalIdentifier = TMF632 IndividualIdentification;
AuthenticationRecord = a TMF720 credential use with its trust level.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from selfcare.identifiers import PersonalCode
from selfcare.identifiers.fields import PersonalCodeField


class Country(models.TextChoices):
    """The countries whose personal codes make an identity: those selfcare.identifiers.COUNTRIES has rules for."""

    LATVIA = "LV", _("Latvia")
    ESTONIA = "EE", _("Estonia")
    LITHUANIA = "LT", _("Lithuania")


class IdentityStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")


class DigitalIdentity(models.Model):
    """One person, whatever eID method they use. The id is opaque and stable; it is never the personal code."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Django's session machinery (login, logout, session rotation, the admin) works on a User; each identity has
    # exactly one, with no usable password: the only way in is eID.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="digital_identity", verbose_name=_("user")
    )
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    status = models.CharField(_("status"), max_length=10, choices=IdentityStatus.choices, default=IdentityStatus.ACTIVE)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    names_verified_at = models.DateTimeField(_("names verified"))

    class Meta:
        verbose_name = _("digital identity")
        verbose_name_plural = _("digital identities")

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        """The name as people write it. Certificates carry names in capitals (ANNA BĒRZIŅA); the stored value
        stays as the evidence gave it, and the display is title-cased only when the evidence was all capitals."""
        name = f"{self.given_name} {self.family_name}".strip()
        return name.title() if name.isupper() else name


class NationalIdentifier(models.Model):
    """A national identifier — (country, personal code) — that resolves to an identity.

    The code follows its country's rules (selfcare.identifiers.PersonalCode). A Latvian may hold an old and a new
    code (changed once); a person may also hold codes of two countries, each pointing to the one identity.
    """

    identity = models.ForeignKey(
        DigitalIdentity, on_delete=models.PROTECT, related_name="identifiers", verbose_name=_("digital identity")
    )
    country = models.CharField(_("country"), max_length=2, choices=Country.choices, default=Country.LATVIA)
    code = PersonalCodeField(_("personal code"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    superseded_at = models.DateTimeField(
        _("replaced by a new code"), null=True, blank=True, help_text=_("Set when the person changed to a new code.")
    )

    class Meta:
        verbose_name = _("national identifier")
        verbose_name_plural = _("national identifiers")
        constraints = [models.UniqueConstraint(fields=["country", "code"], name="national_identifier_unique")]

    def __str__(self) -> str:
        return f"{self.country} {PersonalCode(self.country, self.code).number}"

    @property
    def display(self) -> str:
        """As pages show it: 010117-21234 for a Latvian code, EE 38001085718 for another country's."""
        return PersonalCode(self.country, self.code).display


class AuthResult(models.TextChoices):
    SUCCESS = "success", _("Success")
    CANCELLED = "cancelled", _("Cancelled")
    TIMEOUT = "timeout", _("Timed out")
    REFUSED = "refused", _("Refused")
    UNAVAILABLE = "unavailable", _("Provider unavailable")
    BAD_RESPONSE = "bad_response", _("Bad response")


class AuthenticationRecord(models.Model):
    """Every authentication attempt, successful or not (SECURITY.md: audit 16.3.1). Append-only."""

    identity = models.ForeignKey(
        DigitalIdentity,
        on_delete=models.PROTECT,
        related_name="authentications",
        null=True,
        blank=True,
        verbose_name=_("digital identity"),
    )
    method = models.CharField(_("method"), max_length=40)
    level = models.CharField(_("assurance level"), max_length=40, blank=True)
    result = models.CharField(_("result"), max_length=20, choices=AuthResult.choices)
    reason = models.CharField(_("reason"), max_length=60, blank=True)
    occurred_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    ip_address = models.GenericIPAddressField(_("network address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    certificate_fingerprint = models.CharField(_("certificate SHA-256"), max_length=64, blank=True)
    # For failures, the personal code the person typed, as a keyed hash: staff can correlate attempts on one code
    # without the audit table holding personal codes of people who may not even be customers.
    claimed_code_digest = models.CharField(_("claimed code (keyed hash)"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("authentication record")
        verbose_name_plural = _("authentication records")
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["identity", "-occurred_at"], name="auth_identity_time_idx")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.method} {self.result}"
