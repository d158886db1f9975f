"""Django's Redis cache backend, keeping its redis-py client instead of making one per call.

`django.core.cache.backends.redis.RedisCacheClient.get_client` builds a new `redis.Redis` for every cache call:
the connection pool is kept, but each client fills its response-callback table again (about 170 entries). The
portal makes a few cache calls per request (the session, OCSP answers, the rate limits' neighbours), so under load
that was a measurable share of every request's CPU. A `redis.Redis` holds no connection of its own (it borrows one
from the pool per command), so one per pool serves every call; the pools are Django's, unchanged, and redis-py's
pool itself notices a fork.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class _KeptClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        django: Any = self  # its private helpers, which django-stubs does not declare
        pool = django._get_connection_pool(write)  # Django keeps each pool for the life of the backend
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = django._client(connection_pool=pool)
        return client


class KeptClientRedisCache(RedisCache):
    """Settings' `CACHES` backend for Redis (selfcare/config.py `redis_cache`)."""

    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _KeptClient
