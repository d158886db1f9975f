"""The limits by name, and the one call that counts a hit against one."""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

from django.conf import settings

from selfcare.security.ratelimit.backends import backend


@dataclass(frozen=True, slots=True)
class Limit:
    name: str
    count: int
    seconds: int


class RateLimited(Exception):
    """Over a limit; `retry_after` is the number of seconds until the window ends."""

    def __init__(self, limit: Limit, retry_after: int) -> None:
        super().__init__(f"rate limit {limit.name} ({limit.count}/{limit.seconds}s)")
        self.limit = limit
        self.retry_after = retry_after


def limit_for(name: str) -> Limit:
    """The limit named in settings.RATE_LIMITS; an unknown name is a programming error (KeyError)."""
    count, seconds = settings.RATE_LIMITS[name]
    return Limit(name, int(count), int(seconds))


def _subject(name: str, subject: str) -> str:
    # Subjects are addresses, personal codes and token ids: the store sees only a keyed hash of them.
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{name}:{subject}".encode(), hashlib.sha256).hexdigest()
    return f"{name}:{digest[:32]}"


def hit(name: str, subject: str, *, now: float | None = None) -> int:
    """Count one attempt of `subject` (an address, a personal code, a token id) against the limit `name`.

    Returns the count so far in this window; raises RateLimited when the count passes the limit. A limit whose
    count is 0 is switched off.
    """
    limit = limit_for(name)
    if limit.count <= 0:
        return 0
    count, left = backend().hit(_subject(name, subject), limit.seconds, time.time() if now is None else now)
    if count > limit.count:
        raise RateLimited(limit, left)
    return count


def reset(name: str, subject: str, *, now: float | None = None) -> None:
    limit = limit_for(name)
    backend().reset(_subject(name, subject), limit.seconds, time.time() if now is None else now)
