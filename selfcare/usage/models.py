"""Usage events, billing cycles, consumption buckets and the daily totals behind the usage chart.

TM Forum mapping (DOMAIN.md §6): UsageEvent = TMF635 Usage; BillingCycle = TMF678 bill cycle of the account;
Bucket = TMF677 Bucket with its counters (used, out of bucket = ConsumptionSummary); FeedKey is ours.

Volumes are integers in the bucket's unit: bytes, seconds or messages. Counters are maintained at ingestion
(selfcare.usage.ingest), so "remaining" is one indexed read, never a scan of events.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from selfcare.customers.models import Connection, CustomerAccount, TariffPlan


class Kind(models.TextChoices):
    DATA = "data", _("Data")
    VOICE = "voice", _("Calls")
    SMS = "sms", _("SMS")


class Zone(models.TextChoices):
    """Where an event happened. Outside the EU/EEA the operator prices by zone (selfcare.usage.world_zones): the
    feed says `world` and may name the visited country, which picks zone 1 or 2; any other country, or none, is
    the last zone, the rest of the world, which keeps the value `world`."""

    DOMESTIC = "domestic", _("Latvia")
    EU = "eu", _("EU/EEA")
    WORLD_1 = "world1", _("World zone 1")
    WORLD_2 = "world2", _("World zone 2")
    WORLD = "world", _("Rest of the world")


# The zones outside the EU/EEA, the last one (the rest of the world) last.
WORLD_ZONES: tuple[str, ...] = (Zone.WORLD_1, Zone.WORLD_2, Zone.WORLD)
# The world zones with out-of-bucket counters of their own (ZoneOutOfBucket) and rates that fall back to the rest of
# the world's; the rest of the world's use is what the world bucket counted beyond them.
COUNTED_WORLD_ZONES = frozenset({Zone.WORLD_1, Zone.WORLD_2})


class Unit(models.TextChoices):
    BYTE = "byte", _("bytes")
    SECOND = "second", _("seconds")
    MESSAGE = "message", _("messages")


UNIT_OF_KIND: dict[str, str] = {Kind.DATA: Unit.BYTE, Kind.VOICE: Unit.SECOND, Kind.SMS: Unit.MESSAGE}
KIND_OF_UNIT: dict[str, str] = {unit: kind for kind, unit in UNIT_OF_KIND.items()}


class BucketZone(models.TextChoices):
    """Which events a bucket may take: one zone, or Latvia and the EU together (Roam Like at Home)."""

    DOMESTIC = "domestic", _("Latvia")
    EU = "eu", _("EU/EEA")
    WORLD = "world", _("Rest of the world")
    HOME_AND_EU = "home_eu", _("Latvia and EU/EEA")


ZONES_OF_BUCKET: dict[str, frozenset[str]] = {
    BucketZone.DOMESTIC: frozenset({Zone.DOMESTIC}),
    BucketZone.EU: frozenset({Zone.EU}),
    # A world pack and the plan's world bucket take use in every zone outside the EU; what the plan's bucket takes
    # beyond its allowance is split by zone in ZoneOutOfBucket.
    BucketZone.WORLD: frozenset(WORLD_ZONES),
    BucketZone.HOME_AND_EU: frozenset({Zone.DOMESTIC, Zone.EU}),
}


class Source(models.TextChoices):
    PLAN = "plan", _("Tariff plan")
    ADDON = "addon", _("Add-on")
    GIFT = "gift", _("Gift")


class BillingCycle(models.Model):
    """One period of an account in which allowances renew: [starts_at, ends_at), from its cycle day in Europe/Riga."""

    account = models.ForeignKey(CustomerAccount, on_delete=models.PROTECT, related_name="billing_cycles")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))

    class Meta:
        verbose_name = _("billing cycle")
        verbose_name_plural = _("billing cycles")
        ordering = ["account", "-starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["account", "starts_at"], name="cycle_account_start_unique"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="cycle_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.starts_at:%Y-%m-%d} – {self.ends_at:%Y-%m-%d}"


class Bucket(models.Model):
    """An allowance of one connection in one cycle, with its counters.

    `allowance` NULL means unlimited (then `fair_use_cap` says how much is fair use). `used` never exceeds a limited
    allowance: what no bucket could take is counted in `out_of_bucket` of the plan's bucket, so remaining is never
    negative. Events debit buckets by `priority` (lower first), then earliest `valid_until`.
    """

    # No database constraint on either foreign key (the ORM's PROTECT still stands): ingestion writes bucket rows in
    # bulk (a first import creates the plan's buckets of every connection-cycle, tens of thousands of rows), with
    # connection and cycle ids it resolved or created in the same transaction, and a check per row at commit cost
    # about as much as the insert; connections and cycles are never deleted under a live import (terminated
    # connections are kept), and nothing deletes them in raw SQL. Migration 0011.
    # No index of its own on `connection`: bucket_connection_cycle_idx starts with it and serves the same lookups
    # (every batch of usage inserts and updates bucket rows, and each index costs it).
    connection = models.ForeignKey(
        Connection, on_delete=models.PROTECT, related_name="buckets", db_constraint=False, db_index=False
    )
    cycle = models.ForeignKey(BillingCycle, on_delete=models.PROTECT, related_name="buckets", db_constraint=False)
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    zone = models.CharField(_("zone"), max_length=8, choices=BucketZone.choices)
    source = models.CharField(_("source"), max_length=5, choices=Source.choices)
    label = models.CharField(_("label"), max_length=200, blank=True)
    allowance = models.BigIntegerField(_("allowance"), null=True, blank=True)
    fair_use_cap = models.BigIntegerField(_("fair-use cap"), null=True, blank=True)
    used = models.BigIntegerField(_("used"), default=0)
    out_of_bucket = models.BigIntegerField(_("out of bucket"), default=0)
    priority = models.PositiveSmallIntegerField(_("priority"), default=100)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    # Unique by a partial constraint (bucket_source_key_unique) rather than unique=True: only gifts have a key, so the
    # plan's buckets, most of the rows, stay out of the index; and on PostgreSQL the field option would add a second,
    # LIKE-pattern index that no query uses. (On SQLite the column keeps its UNIQUE: migration 0010.) NULL, not "",
    # for no key: the plan's buckets have none, and empty strings would clash in the unique constraint.
    source_key = models.CharField(_("source key"), max_length=200, null=True, blank=True)  # noqa: DJ001
    as_of = models.DateTimeField(_("as of"))

    class Meta:
        verbose_name = _("bucket")
        verbose_name_plural = _("buckets")
        ordering = ["priority", "id"]
        indexes = [models.Index(fields=["connection", "cycle"], name="bucket_connection_cycle_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(used__gte=0) & Q(out_of_bucket__gte=0), name="bucket_counters_positive"),
            models.CheckConstraint(
                condition=Q(allowance__isnull=True) | Q(used__lte=models.F("allowance")),
                name="bucket_used_within_allowance",
            ),
            # One plan bucket per kind and zone in a cycle: ingestion creates them concurrently.
            models.UniqueConstraint(
                fields=["connection", "cycle", "kind", "zone"],
                condition=Q(source="plan"),
                name="bucket_one_plan_bucket",
            ),
            models.UniqueConstraint(
                fields=["source_key"], condition=Q(source_key__isnull=False), name="bucket_source_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.connection_id} {self.kind}/{self.zone} {self.source}"

    @property
    def unit(self) -> str:
        return UNIT_OF_KIND[self.kind]

    @property
    def is_unlimited(self) -> bool:
        return self.allowance is None

    @property
    def remaining(self) -> int | None:
        """None for unlimited; never below zero."""
        if self.allowance is None:
            return None
        return max(0, self.allowance - self.used)


class UsageEvent(models.Model):
    """One usage record as the source sent it, after per-session rounding. Append-only; `source_key` makes replays
    change nothing."""

    # Unique by a constraint rather than unique=True: on PostgreSQL the field option adds a second, LIKE-pattern
    # index of the key that nothing reads but every inserted event pays for. On PostgreSQL the constraint is in the
    # model state only: the ids are kept unique by UsageEventKey, and the partitioned table has no index of them
    # (migrations 0004 and 0012).
    source_key = models.CharField(_("source key"), max_length=200)
    # No database constraint: ingestion resolves every connection id in the same transaction it inserts the
    # events, and a per-row foreign-key check at commit would cost as much as the insert itself at 50,000/s.
    # No index of its own either: event_connection_started_idx starts with it and serves the same lookups.
    connection = models.ForeignKey(
        Connection, on_delete=models.PROTECT, related_name="usage_events", db_constraint=False, db_index=False
    )
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    zone = models.CharField(_("zone"), max_length=8, choices=Zone.choices)
    started_at = models.DateTimeField(_("started"))
    quantity = models.BigIntegerField(_("quantity"))
    # The database's clock when the statement that recorded the event began, on PostgreSQL (migration 0018): the
    # COPY of a file's events leaves it out, so the same time is not read from the text of every line; SQLite's
    # ingestion still writes its `now`.
    received_at = models.DateTimeField(_("received"), db_default=Now())

    class Meta:
        verbose_name = _("usage event")
        verbose_name_plural = _("usage events")
        indexes = [models.Index(fields=["connection", "started_at"], name="event_connection_started_idx")]
        constraints = [models.UniqueConstraint(fields=["source_key"], name="event_source_key_unique")]

    def __str__(self) -> str:
        return self.source_key


class UsageEventKey(models.Model):
    """PostgreSQL only (empty on SQLite): the event ids already recorded, in one table that is not partitioned.

    A partitioned table's unique constraints must include its partition key, so the events table alone could only
    refuse a replay with the same start time; this table keeps `source_key` unique whatever the start time, as one
    events table did. Rows older than the retention horizon go with their month's partition (partitions.py).
    """

    source_key = models.CharField(_("source key"), max_length=200, primary_key=True)
    # On PostgreSQL a BRIN index, not a btree (migration 0013): only the retention task reads it.
    started_at = models.DateTimeField(_("started"), db_index=True)

    class Meta:
        verbose_name = _("usage event key")
        verbose_name_plural = _("usage event keys")

    def __str__(self) -> str:
        return self.source_key


class DailyUsage(models.Model):
    """Total use of one connection on one day (Europe/Riga), kind and zone: the usage chart reads ~31 of these."""

    # The row's key is what it totals (migration 0017): no id of its own, which only cost every total a sequence
    # value and a second index entry when ingestion writes it (a third of the database's time for a file's new
    # totals, measured: issue 19). Nothing refers to a daily total.
    pk = models.CompositePrimaryKey("connection", "day", "kind", "zone")
    # No database constraint (the ORM's PROTECT still stands), as the buckets' (see Bucket.connection): ingestion
    # upserts these rows in bulk, one per connection, day, kind and zone of a batch, for connections it resolved in
    # the same transaction. No index of its own: the primary key starts with it and serves the same lookups.
    connection = models.ForeignKey(
        Connection, on_delete=models.PROTECT, related_name="daily_usage", db_constraint=False, db_index=False
    )
    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    zone = models.CharField(_("zone"), max_length=8, choices=Zone.choices)
    quantity = models.BigIntegerField(_("quantity"), default=0)

    class Meta:
        verbose_name = _("daily usage")
        verbose_name_plural = _("daily usage")

    def __str__(self) -> str:
        return f"{self.connection_id} {self.day} {self.kind}/{self.zone}"


class FeedKey(models.Model):
    """A key the operator's mediation system presents to the usage feed API. Only its SHA-256 is stored: the key is
    256 random bits, so a fast hash is enough (no password stretching needed); it is shown once at creation."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    prefix = models.CharField(_("prefix"), max_length=12, unique=True)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("usage feed key")
        verbose_name_plural = _("usage feed keys")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class OutOfBundleRate(models.Model):
    """What a plan charges for use that no bucket could take (catalogue data): `price` EUR excl. VAT per started
    `per` units (bytes, seconds or messages) of a cycle's out-of-bundle use of that kind in that zone.

    Latvia's rate also prices calls and SMS in the EU, which share Latvia's bucket (Roam Like at Home); the EU's
    rate prices data beyond the EU allowance. World zones 1 and 2 without a rate of their own are priced at the
    rest of the world's. A kind and zone without a rate (after that) is not charged for.
    """

    plan = models.ForeignKey(TariffPlan, on_delete=models.CASCADE, related_name="out_of_bundle_rates")
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    zone = models.CharField(_("zone"), max_length=8, choices=Zone.choices)
    price = models.DecimalField(_("price, EUR excl. VAT"), max_digits=10, decimal_places=4)
    per = models.BigIntegerField(_("per units"), help_text=_("Bytes, seconds or messages the price is for."))

    class Meta:
        verbose_name = _("out-of-bundle rate")
        verbose_name_plural = _("out-of-bundle rates")
        ordering = ["plan", "kind", "zone"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "kind", "zone"], name="rate_one_per_plan_kind_zone"),
            models.CheckConstraint(condition=Q(price__gte=0) & Q(per__gt=0), name="rate_price_and_unit_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.kind}/{self.zone}: {self.price} per {self.per}"


class ZoneOutOfBucket(models.Model):
    """Out-of-bucket use of one connection in one cycle in world zone 1 or 2, a counter of its own beside the plan's
    world bucket so that each zone is priced at its own rate (pricing.py). The plan's world bucket's
    `out_of_bucket` stays the whole world's; what the zones here do not account for is the rest of the world's, so
    use without a country, and use recorded before zones existed, is priced as before."""

    # No index of its own: zone_out_of_bucket_unique starts with it and serves the same lookups.
    connection = models.ForeignKey(Connection, on_delete=models.PROTECT, related_name="+", db_index=False)
    cycle = models.ForeignKey(BillingCycle, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    zone = models.CharField(_("zone"), max_length=8, choices=Zone.choices)
    quantity = models.BigIntegerField(_("quantity"), default=0)

    class Meta:
        verbose_name = _("out-of-bucket use in a world zone")
        verbose_name_plural = _("out-of-bucket use in world zones")
        constraints = [
            models.UniqueConstraint(fields=["connection", "cycle", "kind", "zone"], name="zone_out_of_bucket_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="zone_out_of_bucket_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.connection_id} {self.cycle_id} {self.kind}/{self.zone}: {self.quantity}"


class CycleSpend(models.Model):
    """The out-of-bundle charges of one connection in one cycle so far, EUR excl. VAT, kept by ingestion from the
    buckets' out-of-bucket counters and the plan's rates: the running spend is one indexed read. No row: nothing
    charged yet."""

    # No index of its own: spend_one_per_cycle starts with it and serves the same lookups.
    connection = models.ForeignKey(Connection, on_delete=models.PROTECT, related_name="cycle_spend", db_index=False)
    cycle = models.ForeignKey(BillingCycle, on_delete=models.PROTECT, related_name="spend")
    amount = models.DecimalField(_("amount, EUR excl. VAT"), max_digits=12, decimal_places=2)
    as_of = models.DateTimeField(_("as of"))

    class Meta:
        verbose_name = _("cycle spend")
        verbose_name_plural = _("cycle spend")
        constraints = [models.UniqueConstraint(fields=["connection", "cycle"], name="spend_one_per_cycle")]

    def __str__(self) -> str:
        return f"{self.connection_id} {self.cycle_id}: {self.amount}"


class CompanyDataSummary(models.Model):
    """A company's connections that are not terminated, counted, and their national data in the current cycles, as
    the dashboard shows them: data left in total, numbers with unlimited data and numbers near their limit.

    Kept rather than counted per view (selfcare.usage.summaries): a company of 100,000 numbers costs seconds to
    sum. Database triggers (migration 0006) set `stale` whenever a bucket, connection, account or plan changes,
    so the figures are never read after a change they do not include; `computed_at` bounds what time alone
    changes (a cycle or bucket ending), see USAGE_SUMMARY_MAX_AGE_SECONDS.
    """

    company = models.OneToOneField(
        "customers.Company", on_delete=models.CASCADE, primary_key=True, related_name="+", verbose_name=_("company")
    )
    connections = models.IntegerField(_("connections"), default=0)
    left = models.BigIntegerField(_("data left"), default=0)
    unlimited = models.IntegerField(_("numbers with unlimited data"), default=0)
    near_limit = models.IntegerField(_("numbers near their limit"), default=0)
    # NULL until the first figures are stored (the row exists first, so a change meanwhile marks it stale).
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    stale = models.BooleanField(_("stale"), default=False)

    class Meta:
        verbose_name = _("company data summary")
        verbose_name_plural = _("company data summaries")

    def __str__(self) -> str:
        return f"data summary of company {self.company_id}"
