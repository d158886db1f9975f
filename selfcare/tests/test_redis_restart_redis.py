"""A real Redis going away and coming back, through a TCP proxy the test cuts (selfcare/tests/faults.py); the
shared server itself is never touched, and this run's keys carry their own prefix.

Collected only when a Redis answers (see conftest.py). While it is gone a logged-in person gets the translated 503,
never someone else's page or an anonymous one; when it is back, the same session works again without a restart.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import redis
from django.test import Client

from selfcare.access.tests import factories as people
from selfcare.config import redis_cache
from selfcare.tests.conftest import redis_url_for_tests
from selfcare.tests.faults import TcpProxy

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_proxy(settings: Any) -> Iterator[TcpProxy]:
    url = urlsplit(redis_url_for_tests())
    prefix = f"selfcare-test-{uuid.uuid4().hex}"
    with TcpProxy(url.hostname or "127.0.0.1", url.port or 6379) as proxy:
        cache = redis_cache(f"redis://127.0.0.1:{proxy.port}{url.path or '/0'}", timeout=0.5)
        settings.CACHES = {"default": {**cache, "KEY_PREFIX": prefix}}
        settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
        yield proxy
    server = redis.Redis.from_url(redis_url_for_tests())
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)


def test_a_session_in_redis_gets_the_unavailable_page_while_redis_is_gone_and_works_again_after(
    redis_proxy: TcpProxy, settings: Any
) -> None:
    anna = people.person("15038512346")
    client = Client(raise_request_exception=False)
    client.force_login(anna.user)
    settings.DEBUG = False
    assert client.get("/en/me/").status_code == 200

    redis_proxy.cut()
    gone = client.get("/en/me/")
    assert gone.status_code == 503
    assert "Try again" in gone.content.decode()
    assert client.post("/en/login/swedbank/").status_code == 503  # no nonce, no bank login

    redis_proxy.restore()
    back = client.get("/en/me/")
    assert back.status_code == 200
    assert back.wsgi_request.user == anna.user
