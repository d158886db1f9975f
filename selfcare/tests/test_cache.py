"""The Redis cache backend keeps one redis-py client per connection pool (selfcare/cache.py)."""

from __future__ import annotations

from typing import Any, cast

from selfcare.cache import KeptClientRedisCache
from selfcare.config import redis_cache


def _client_of(cache: KeptClientRedisCache) -> Any:
    return cast(Any, cache)._cache


def test_the_redis_cache_is_the_kept_client_backend_with_its_timeouts() -> None:
    settings = redis_cache("redis://127.0.0.1:6379/0", timeout=2.0)
    assert settings["BACKEND"] == "selfcare.cache.KeptClientRedisCache"
    assert settings["OPTIONS"] == {"socket_connect_timeout": 2.0, "socket_timeout": 2.0}


def test_every_call_uses_the_same_client_and_pool() -> None:
    # Nothing connects before a command is sent, so no Redis is needed here.
    cache = _client_of(KeptClientRedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_timeout": 0.1}}))
    reading, writing = cache.get_client("a"), cache.get_client("b", write=True)
    assert reading is writing is cache.get_client("c")
    assert reading.connection_pool.connection_kwargs["socket_timeout"] == 0.1


def test_each_server_of_several_has_its_own_client() -> None:
    cache = _client_of(KeptClientRedisCache("redis://127.0.0.1:1/0,redis://127.0.0.1:2/0", {}))
    writer = cache.get_client(write=True)
    reader = cache.get_client()
    assert writer is not reader
    ports = [client.connection_pool.connection_kwargs["port"] for client in (writer, reader)]
    assert ports == [1, 2]
