"""Where rate-limit counters live: fixed windows, counted atomically, shared by every portal process.

Fixed windows (a counter per limit, subject and window number) rather than a sliding log: one atomic increment
per hit and nothing to trim; the price is that a burst across a window boundary may reach twice the limit,
which is acceptable for limits meant to stop automated guessing and SMS pumping.

- `RedisBackend` uses redis-py directly, not Django's cache API: the cache has no atomic "increment, creating
  the key with an expiry" (`incr` fails on a missing key; `add` then `incr` is two round trips and the key can
  expire in between) and cannot tell how long a key has left, which `Retry-After` needs. INCR and EXPIRE go in
  one MULTI transaction.
- `DatabaseBackend` keeps a row per window (`security.RateCounter`), incremented with an UPDATE … count + 1, so
  several processes on one database share the counts without Redis.
"""

from __future__ import annotations

import datetime
import functools
from typing import Protocol

import redis
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from selfcare.security.models import RateCounter


class Backend(Protocol):
    def hit(self, key: str, seconds: int, now: float) -> tuple[int, int]:
        """Count one hit in the window of `seconds` that holds `now`; the window's count and seconds left."""

    def reset(self, key: str, seconds: int, now: float) -> None:
        """Forget the hits in the current window (tests and staff)."""


def _window(key: str, seconds: int, now: float) -> tuple[str, int]:
    number = int(now // seconds)
    left = max(1, int((number + 1) * seconds - now))
    return f"{settings.RATELIMIT_KEY_PREFIX}{key}:{seconds}:{number}", left


class RedisBackend:
    """A Redis that is gone raises (redis.ConnectionError / TimeoutError, after `timeout` seconds when it hangs):
    nothing here catches it, so a limited request ends in the 503 page instead of passing uncounted."""

    def __init__(self, url: str, timeout: float) -> None:
        self.client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)

    def hit(self, key: str, seconds: int, now: float) -> tuple[int, int]:
        name, left = _window(key, seconds, now)
        pipe = self.client.pipeline(transaction=True)
        pipe.incr(name)
        pipe.expire(name, left + 1)
        count, _ = pipe.execute()
        return int(count), left

    def reset(self, key: str, seconds: int, now: float) -> None:
        self.client.delete(_window(key, seconds, now)[0])


def _count_one() -> str:
    """One more hit on an existing window, returning the new count (names from the model, the key a parameter)."""
    table = connection.ops.quote_name(RateCounter._meta.db_table)
    count = connection.ops.quote_name("count")
    return f"UPDATE {table} SET {count} = {count} + 1 WHERE {connection.ops.quote_name('key')} = %s RETURNING {count}"  # noqa: S608


class DatabaseBackend:
    def hit(self, key: str, seconds: int, now: float) -> tuple[int, int]:
        name, left = _window(key, seconds, now)
        # The common case, a window already counting, in one statement that also returns the count: every API call
        # passes here, and a transaction around an UPDATE and a SELECT was four round trips (PostgreSQL and SQLite
        # 3.35+ both know RETURNING).
        with connection.cursor() as cursor:
            cursor.execute(_count_one(), [name])
            row = cursor.fetchone()
        if row is not None:
            return int(row[0]), left
        counters = RateCounter.objects.filter(key=name)
        with transaction.atomic():
            if not counters.update(count=F("count") + 1):
                expires = datetime.datetime.fromtimestamp(now + left, tz=datetime.UTC)
                try:
                    with transaction.atomic():
                        RateCounter.objects.create(key=name, count=1, expires_at=expires)
                except IntegrityError:
                    # Another process created this window's row first: count on it.
                    counters.update(count=F("count") + 1)
                else:
                    # A new window is a good moment to drop the finished ones (indexed on expires_at).
                    moment = datetime.datetime.fromtimestamp(now, tz=datetime.UTC)
                    RateCounter.objects.filter(expires_at__lt=moment).delete()
            count = counters.values_list("count", flat=True).get()
        return int(count), left

    def reset(self, key: str, seconds: int, now: float) -> None:
        RateCounter.objects.filter(key=_window(key, seconds, now)[0]).delete()


@functools.cache
def _redis_backend(url: str, timeout: float) -> RedisBackend:
    return RedisBackend(url, timeout)


def backend() -> Backend:
    """Redis when REDIS_URL is set (shared by all processes and hosts), the database otherwise."""
    if settings.REDIS_URL:
        return _redis_backend(settings.REDIS_URL, settings.REDIS_TIMEOUT_SECONDS)
    return DatabaseBackend()
