"""What a backing service that went away looks like to the portal, for every layer that answers "try again".

Kept below the web layers: the portal's 503 page (selfcare/portal/unavailable.py) and the rate limiter's refusal
(selfcare/security/ratelimit/web.py) both read it, and the rate limiter must not reach up into the portal.
"""

from __future__ import annotations

import redis.exceptions
from django.db import InterfaceError, OperationalError

from selfcare.storage import StorageUnavailable

# The database driver's connection errors (and SQLite's "database is locked"), Redis refusing, dropping or not
# answering in time, and the documents storage refusing or not answering.
SERVICE_GONE: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    StorageUnavailable,
)
RETRY_AFTER_SECONDS = 30
