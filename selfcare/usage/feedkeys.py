"""Keys of the usage feed API: created by a command (shown once), stored only as SHA-256, revoked in the back office."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone

from selfcare.usage.models import FeedKey

PREFIX = "uf_"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def feed_key_create(*, name: str) -> tuple[FeedKey, str]:
    """A new key for the feed called `name`; the key itself is returned once and never stored."""
    secret = secrets.token_urlsafe(32)
    key = f"{PREFIX}{secret}"
    record = FeedKey.objects.create(name=name, prefix=key[: len(PREFIX) + 6], key_hash=_hash(key))
    return record, key


def feed_key_check(key: str) -> FeedKey | None:
    """The active key record for this presented key, or None (unknown, revoked or malformed)."""
    if not key.startswith(PREFIX) or len(key) > 100:
        return None
    record = FeedKey.objects.filter(key_hash=_hash(key), revoked_at__isnull=True).first()
    if record is not None:
        FeedKey.objects.filter(pk=record.pk).update(last_used_at=timezone.now())
    return record


def feed_key_revoke(record: FeedKey) -> None:
    if record.revoked_at is None:
        record.revoked_at = timezone.now()
        record.save(update_fields=["revoked_at"])
