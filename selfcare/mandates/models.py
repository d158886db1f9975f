"""Powers of attorney ("main user rights"): a company lets a person act for it in the portal.

TM Forum mapping (DOMAIN.md §6): a TMF669 PartyRole of roleType mainUser, engaged party the attorney (a Person,
named by personal code), related party the company. A mandate names the attorney by personal code, not by
digital identity: the attorney may not have logged in yet.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from selfcare.customers.models import Company
from selfcare.identifiers.fields import MsisdnField, PersonalCodeField
from selfcare.identity.models import DigitalIdentity


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


class MandateRights(models.TextChoices):
    """The rights a power of attorney grants. "Main user" is the one the form has today: see all the company's
    connections and their usage, and manage employees' number bindings (access.policy.RIGHTS, ContextKind.COMPANY)."""

    MAIN_USER = "main_user", _("Main user: all connections and their usage, employees' number bindings")


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
    rights = models.CharField(
        _("rights"), max_length=20, choices=MandateRights.choices, default=MandateRights.MAIN_USER
    )
    # Printed on the form and looked for in the signed document: a signature on another mandate's form does not
    # verify this one.
    reference = models.UUIDField(_("reference"), default=uuid.uuid4, unique=True, editable=False)
    verified = models.BooleanField(
        _("verified"), default=False, help_text=_("Signed by a representative with sole rights or by enough joint ones")
    )
    attorney_phone = MsisdnField(_("attorney's mobile number"), blank=True)
    attorney_email = models.EmailField(_("attorney's e-mail"), blank=True)
    created_by = models.ForeignKey(
        DigitalIdentity, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )

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


class Actor(models.TextChoices):
    PERSON = "person", _("person (eID)")
    STAFF = "staff", _("back-office staff")
    SYSTEM = "system", _("scheduled task")


class MandateEvent(models.Model):
    """One step in a mandate's history: who did it, when, why. Written by the services only, never changed."""

    mandate = models.ForeignKey(Mandate, on_delete=models.CASCADE, related_name="events", verbose_name=_("mandate"))
    occurred_at = models.DateTimeField(_("time"), default=timezone.now)
    action = models.CharField(_("action"), max_length=30)
    # A context of their own: "to" alone is also an SMS's recipient, translated as such ("adresāts").
    from_status = models.CharField(
        pgettext_lazy("mandate status", "from"), max_length=10, choices=MandateStatus.choices, blank=True
    )
    to_status = models.CharField(
        pgettext_lazy("mandate status", "to"), max_length=10, choices=MandateStatus.choices, blank=True
    )
    actor = models.CharField(_("actor"), max_length=10, choices=Actor.choices)
    identity = models.ForeignKey(
        DigitalIdentity, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("person")
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff member"),
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("mandate event")
        verbose_name_plural = _("mandate events")
        ordering = ["occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.occurred_at):%Y-%m-%d %H:%M} {self.step_label}"

    @property
    def step_label(self) -> str:
        """The step as people name it: the status it led to, or what happened when the status stayed."""
        if self.to_status:
            return str(self.get_to_status_display())
        if self.action == "created":
            return str(_("Prepared"))
        if self.action == "document_added":
            return str(_("Document received"))
        if self.action == "signing_started":
            return str(_("Signing started in the portal"))
        if self.action == "cosigners_told":
            return str(_("Other representatives asked to sign"))
        return self.action


class DocumentChannel(models.TextChoices):
    PORTAL = "portal", _("uploaded in the portal")
    EMAIL = "email", _("received by e-mail")
    SIGNED = "signed", _("signed in the portal")


class MandateDocument(models.Model):
    """A signed power of attorney as received: kept under a name the server made, with its validation result.

    A document that fails validation is kept too (the record of what was sent), and nothing is activated from it.
    """

    mandate = models.ForeignKey(Mandate, on_delete=models.CASCADE, related_name="documents", verbose_name=_("mandate"))
    stored_name = models.CharField(_("stored as"), max_length=80, unique=True, editable=False)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    kind = models.CharField(_("type"), max_length=10)  # decided by content: "pdf" or "asice"
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    channel = models.CharField(_("channel"), max_length=10, choices=DocumentChannel.choices)
    uploaded_at = models.DateTimeField(_("received"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        DigitalIdentity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("registered by"),
    )
    signatures_valid = models.BooleanField(_("signatures valid"), default=False)
    report = models.JSONField(_("validation report"), default=dict)
    problems = models.JSONField(_("problems"), default=list)

    class Meta:
        verbose_name = _("signed document")
        verbose_name_plural = _("signed documents")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return self.original_name or self.stored_name


class Representation(models.TextChoices):
    SOLE = "sole", _("alone")
    JOINT = "joint", _("jointly")


class RepresentativeSource(models.TextChoices):
    # Its open data or its web service (selfcare.mandates.register): both write the same rows.
    REGISTER = "register", _("Register of Enterprises")
    MANUAL = "manual", _("entered in the back office")


class Representative(models.Model):
    """A person entitled to represent a company (board member and the like), as the Register of Enterprises says.

    The open data masks personal codes ("150385-*****"): only the first six digits are known, so a person is
    matched by those six digits **and** their name (see `selfcare.mandates.representatives`). The Register's web
    service, when configured, gives the full code, and staff may enter it in the back office: a row with the full
    code matches exactly.
    """

    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="representatives", verbose_name=_("company")
    )
    name = models.CharField(_("name"), max_length=200)
    code_prefix = models.CharField(_("personal code (first six digits)"), max_length=6)
    personal_code = PersonalCodeField(_("full personal code"), blank=True)
    position = models.CharField(_("position"), max_length=100, blank=True)
    representation = models.CharField(
        _("represents"), max_length=5, choices=Representation.choices, default=Representation.SOLE
    )
    signatures_required = models.PositiveSmallIntegerField(
        _("signatures required"), default=1, help_text=_("For joint representation: how many must sign together")
    )
    source = models.CharField(
        _("source"), max_length=10, choices=RepresentativeSource.choices, default=RepresentativeSource.MANUAL
    )
    source_id = models.CharField(_("register id"), max_length=40, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")
        ordering = ["company", "name"]
        indexes = [models.Index(fields=["code_prefix"], name="representative_prefix_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.company.name})"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.personal_code:
            self.code_prefix = self.personal_code[:6]
        super().save(*args, **kwargs)  # type: ignore[arg-type]
