"""Rate limits, one interface for every process-shared counter the portal needs.

    from selfcare.security.ratelimit import hit, RateLimited
    hit("login-address", client_address)     # raises RateLimited(retry_after=…) when over the limit

Views use `rate_limited(...)` (selfcare.security.ratelimit.web), which answers 429 with a translated page and
`Retry-After`; the app API answers `api_too_many_requests(error)` in its JSON error format. The limits are
settings (`RATE_LIMITS`, README "Rate limits"); the backend is Redis when `REDIS_URL` is set, the database
otherwise (see backends.py for why each).
"""

from selfcare.security.ratelimit.core import Limit, RateLimited, hit, limit_for, reset

__all__ = ["Limit", "RateLimited", "hit", "limit_for", "reset"]
