"""Tele2 Komplimenti: offers and gifts, the codes partner offers hand out, and the claims people make.

TM Forum mapping (DOMAIN.md §6): Offer = TMF658 LoyaltyProgramProductSpec with its LoyaltyRule (eligibility) or a
TMF671 Promotion; OfferClaim = TMF658 LoyaltyBurn / LoyaltyExecutionPoint ("a loyalty action that was applied").

The rules that must hold under concurrency are constraints, not only checks: one live claim per (offer, limit
key), one claim per (identity, idempotency key), a partner code given to at most one claim, stock never below 0.
"""

from __future__ import annotations

import datetime

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from selfcare.customers.models import Company, Connection, TariffPlan
from selfcare.identity.models import DigitalIdentity
from selfcare.usage.models import Bucket

LANGUAGES = ("lv", "en", "ru")


class OfferKind(models.TextChoices):
    DATA_GIFT = "data_gift", _("Gift: extra data")
    SERVICE_GIFT = "service_gift", _("Gift: a free month of a service")
    PARTNER = "partner", _("Partner discount with a code")
    SPECIAL = "special", _("Special offer (information and a link)")


GIFTS = frozenset({OfferKind.DATA_GIFT, OfferKind.SERVICE_GIFT})
CLAIMABLE = frozenset({OfferKind.DATA_GIFT, OfferKind.SERVICE_GIFT, OfferKind.PARTNER})


class OfferStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    RETIRED = "retired", _("Retired")


class LimitScope(models.TextChoices):
    CONNECTION = "connection", _("One per connection")
    PERSON = "person", _("One per person")


class OfferQuerySet(models.QuerySet["Offer"]):
    def on_show(self, at: datetime.datetime) -> OfferQuerySet:
        """Offers people can see at this moment: active or paused, inside their validity window."""
        return self.filter(
            status__in=[OfferStatus.ACTIVE, OfferStatus.PAUSED], valid_from__lte=at, valid_until__gt=at
        ).order_by("-valid_from", "pk")


class Offer(models.Model):
    """One offer or gift. Texts are kept in three columns per language (lv, en, ru), read with `text()`: the
    portal has exactly these three languages, so plain columns beat a translation registry."""

    slug = models.SlugField(_("code"), max_length=60, unique=True, help_text=_("A stable name, e.g. summer-5gb."))
    title_lv = models.CharField(_("title (Latvian)"), max_length=120)
    title_en = models.CharField(_("title (English)"), max_length=120)
    title_ru = models.CharField(_("title (Russian)"), max_length=120)
    description_lv = models.TextField(_("description (Latvian)"), max_length=2000)
    description_en = models.TextField(_("description (English)"), max_length=2000)
    description_ru = models.TextField(_("description (Russian)"), max_length=2000)
    partner = models.CharField(_("partner"), max_length=100, blank=True)
    link = models.URLField(_("link"), blank=True, help_text=_("More information, e.g. the partner's page."))
    kind = models.CharField(_("kind"), max_length=20, choices=OfferKind.choices)
    data_bytes = models.BigIntegerField(_("extra data, bytes"), null=True, blank=True)
    data_valid_days = models.PositiveSmallIntegerField(_("extra data valid, days"), null=True, blank=True)
    service_name = models.CharField(
        _("service"), max_length=100, blank=True, help_text=_("For a free month: the service switched on.")
    )
    valid_from = models.DateTimeField(_("shown from"))
    valid_until = models.DateTimeField(_("shown until"))
    for_private = models.BooleanField(_("private customers"), default=False)
    for_company = models.BooleanField(_("companies' main users"), default=False)
    for_employees = models.BooleanField(_("employees (work numbers)"), default=False)
    tariff_plans = models.ManyToManyField(
        TariffPlan,
        blank=True,
        related_name="offers",
        verbose_name=_("tariff plans"),
        help_text=_("Empty means every plan."),
    )
    min_tenure_days = models.PositiveIntegerField(
        _("minimum tenure, days"), default=0, help_text=_("How long the connection must have been active.")
    )
    welcome_days = models.PositiveSmallIntegerField(
        _("welcome offer: the first days of a connection"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_(
            "Set for a welcome offer to new customers: shown on the public plan pages and claimable only in a "
            "connection's first this many days. Empty for an offer to every customer."
        ),
    )
    limit = models.CharField(_("limit"), max_length=12, choices=LimitScope.choices, default=LimitScope.CONNECTION)
    stock_total = models.PositiveIntegerField(_("stock"), null=True, blank=True, help_text=_("Empty means unlimited."))
    stock_left = models.PositiveIntegerField(_("stock left"), null=True, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=OfferStatus.choices, default=OfferStatus.DRAFT)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OfferQuerySet.as_manager()

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["-valid_from", "pk"]
        indexes = [models.Index(fields=["status", "valid_until"], name="offer_status_until_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gt=models.F("valid_from")), name="offer_window_ordered"),
            models.CheckConstraint(
                condition=~Q(kind=OfferKind.DATA_GIFT) | Q(data_bytes__gt=0, data_valid_days__gt=0),
                name="offer_data_gift_has_amount_and_days",
            ),
            models.CheckConstraint(
                condition=Q(stock_total__isnull=True, stock_left__isnull=True)
                | Q(stock_total__isnull=False, stock_left__isnull=False, stock_left__lte=models.F("stock_total")),
                name="offer_stock_left_within_total",
            ),
        ]

    def __str__(self) -> str:
        return self.title_en or self.slug

    def text(self, field: str) -> str:
        """The field in the reader's language, Latvian when that one is empty."""
        language = (translation.get_language() or "lv")[:2]
        value: str = getattr(self, f"{field}_{language}", "") if language in LANGUAGES else ""
        return value or str(getattr(self, f"{field}_lv"))

    @property
    def title(self) -> str:
        return self.text("title")

    @property
    def description(self) -> str:
        return self.text("description")

    @property
    def is_claimable(self) -> bool:
        return self.kind in CLAIMABLE

    @property
    def is_gift(self) -> bool:
        return self.kind in GIFTS

    def is_shown_at(self, at: datetime.datetime) -> bool:
        return self.valid_from <= at < self.valid_until


class OfferImage(models.Model):
    """The offer's picture, re-encoded by the server (see `images.py`) and kept in the database: every app
    process can serve it without shared disk, and no uploaded byte is ever served as it came."""

    offer = models.OneToOneField(Offer, on_delete=models.CASCADE, related_name="image", verbose_name=_("offer"))
    content = models.BinaryField(_("content"))
    content_type = models.CharField(_("type"), max_length=20)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("offer image")
        verbose_name_plural = _("offer images")

    def __str__(self) -> str:
        return f"{self.offer} ({self.width}×{self.height})"


class PoolSource(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded list")
    GENERATED = "generated", _("Generated")


class CodePool(models.Model):
    """A batch of partner codes for one offer: a list the partner sent, or codes we generated."""

    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="code_pools", verbose_name=_("offer"))
    name = models.CharField(_("name"), max_length=100)
    source = models.CharField(_("source"), max_length=10, choices=PoolSource.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("code pool")
        verbose_name_plural = _("code pools")
        ordering = ["offer", "created_at"]

    def __str__(self) -> str:
        return f"{self.offer.slug}: {self.name}"


class ClaimState(models.TextChoices):
    CLAIMED = "claimed", _("Claimed")
    FULFILLED = "fulfilled", _("Fulfilled")
    CANCELLED = "cancelled", _("Cancelled")


class OfferClaim(models.Model):
    """One person's claim of one offer on one connection, in the context they acted in.

    `limit_key` is "c<connection id>" or "p<identity id>" as the offer's limit says; the database refuses a
    second live claim with the same key, so two tabs or two servers cannot both claim.
    """

    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="claims", verbose_name=_("offer"))
    identity = models.ForeignKey(
        DigitalIdentity, on_delete=models.PROTECT, related_name="offer_claims", verbose_name=_("digital identity")
    )
    connection = models.ForeignKey(
        Connection, on_delete=models.PROTECT, related_name="offer_claims", verbose_name=_("connection")
    )
    context = models.CharField(_("context"), max_length=40, help_text=_('e.g. "private", "work-12"'))
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("company")
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=64)
    limit_key = models.CharField(_("limit key"), max_length=48)
    state = models.CharField(_("state"), max_length=10, choices=ClaimState.choices, default=ClaimState.CLAIMED)
    claimed_at = models.DateTimeField(_("claimed"), default=timezone.now)
    fulfilled_at = models.DateTimeField(_("fulfilled"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    data_bytes = models.BigIntegerField(_("extra data, bytes"), null=True, blank=True)
    valid_until = models.DateTimeField(_("gift valid until"), null=True, blank=True)
    bucket = models.ForeignKey(
        Bucket, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("bonus bucket")
    )

    class Meta:
        verbose_name = _("offer claim")
        verbose_name_plural = _("offer claims")
        ordering = ["-claimed_at"]
        indexes = [
            models.Index(fields=["identity", "connection"], name="claim_identity_connection_idx"),
            models.Index(fields=["offer", "-claimed_at"], name="claim_offer_time_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "limit_key"], condition=~Q(state="cancelled"), name="claim_one_live_per_limit"
            ),
            models.UniqueConstraint(fields=["identity", "idempotency_key"], name="claim_idempotency_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.offer.slug} → {self.connection.msisdn} ({self.state})"


class PartnerCode(models.Model):
    """One code of a pool. Unique per offer; given to at most one claim (a one-to-one link)."""

    pool = models.ForeignKey(CodePool, on_delete=models.PROTECT, related_name="codes", verbose_name=_("pool"))
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="codes", verbose_name=_("offer"))
    code = models.CharField(_("code"), max_length=64)
    claim = models.OneToOneField(
        OfferClaim,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partner_code",
        verbose_name=_("claim"),
    )

    class Meta:
        verbose_name = _("partner code")
        verbose_name_plural = _("partner codes")
        constraints = [models.UniqueConstraint(fields=["offer", "code"], name="partner_code_unique_per_offer")]
        indexes = [models.Index(fields=["offer", "claim"], name="partner_code_free_idx")]

    def __str__(self) -> str:
        return self.code


class CompanyOfferSetting(models.Model):
    """A company's choice, made by its main user: may employees claim gifts on their work numbers?

    No row means the default (allowed): the operator's notice promises employees gifts.
    """

    company = models.OneToOneField(
        Company, on_delete=models.CASCADE, related_name="offer_setting", verbose_name=_("company")
    )
    employees_may_claim_gifts = models.BooleanField(_("employees may claim gifts"), default=True)
    changed_at = models.DateTimeField(_("changed"), auto_now=True)
    changed_by = models.ForeignKey(
        DigitalIdentity, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("changed by")
    )

    class Meta:
        verbose_name = _("company's Komplimenti setting")
        verbose_name_plural = _("companies' Komplimenti settings")

    def __str__(self) -> str:
        return str(self.company)
