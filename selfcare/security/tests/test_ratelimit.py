"""Rate limits: counted per subject in fixed windows, shared through the database or Redis, answered with 429,
a translated page and Retry-After."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from selfcare.security.models import RateCounter
from selfcare.security.ratelimit import RateLimited, hit, reset
from selfcare.security.ratelimit.backends import RedisBackend
from selfcare.security.ratelimit.web import api_hit, rate_limited
from selfcare.security.tests.helpers import log_in

pytestmark = pytest.mark.django_db

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def tight(settings: Any) -> Any:
    settings.RATE_LIMITS = {
        "login-address": (3, 600),
        "login-code": (2, 600),
        "otp-address": (2, 3600),
        "upload-identity": (1, 3600),
        "api-token": (2, 60),
    }
    return settings


def test_a_subject_is_refused_past_its_limit_until_the_window_ends(tight: Any) -> None:
    now = 600_000.0  # the start of a 600-second window
    assert [hit("login-address", "192.0.2.1", now=now) for _ in range(3)] == [1, 2, 3]
    with pytest.raises(RateLimited) as refused:
        hit("login-address", "192.0.2.1", now=now + 10)
    assert refused.value.retry_after == 590
    assert hit("login-address", "192.0.2.2", now=now + 10) == 1  # another address has its own count
    assert hit("login-address", "192.0.2.1", now=now + 600) == 1  # the next window starts afresh


def test_the_database_backend_stores_only_a_keyed_hash_of_the_subject(tight: Any) -> None:
    tight.REDIS_URL = ""  # the database backend, whatever REDIS_URL the machine running the tests has
    hit("login-code", "15038512346")
    (key,) = RateCounter.objects.values_list("key", flat=True)
    assert "15038512346" not in key


def test_the_database_backend_counts_a_hit_on_a_running_window_in_one_statement(tight: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    tight.REDIS_URL = ""
    now = 600_000.0
    assert hit("login-address", "192.0.2.1", now=now) == 1
    with CaptureQueriesContext(connection) as captured:
        assert hit("login-address", "192.0.2.1", now=now + 1) == 2
    # Every API call passes here: one UPDATE … RETURNING, no transaction of its own, no read-back.
    assert [q["sql"].split()[0] for q in captured.captured_queries] == ["UPDATE"]


def test_a_limit_set_to_zero_is_switched_off(tight: Any) -> None:
    tight.RATE_LIMITS = {**tight.RATE_LIMITS, "login-address": (0, 600)}
    for _ in range(10):
        hit("login-address", "192.0.2.1")


def test_login_starts_from_one_address_are_limited_with_a_clear_page_and_retry_after(tight: Any) -> None:
    client = Client(REMOTE_ADDR="192.0.2.50")
    for _ in range(3):
        assert client.post("/en/login/swedbank/").status_code == 200
    refused = client.post("/en/login/swedbank/")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 600
    assert "Too many attempts in a short time" in refused.content.decode()
    latvian = client.post("/login/seb/")
    assert latvian.status_code == 429  # the count is per address, whichever method
    assert "Pārāk daudz mēģinājumu" in latvian.content.decode()
    assert Client(REMOTE_ADDR="192.0.2.51").post("/en/login/seb/").status_code == 200


@pytest.mark.parametrize("path", ["/en/login/eparaksts-mobile/start/", "/en/login/smart-id/device-link/"])
def test_every_eid_start_counts_against_the_address(tight: Any, path: str) -> None:
    client = Client(REMOTE_ADDR="192.0.2.60")
    for _ in range(3):
        hit("login-address", "192.0.2.60")
    assert client.post(path).status_code == 429


def test_smartid_starts_for_one_personal_code_are_limited_whoever_asks(tight: Any) -> None:
    for number, code in enumerate(["150385-12346", "15038512346"]):
        Client(REMOTE_ADDR=f"192.0.2.{70 + number}").post("/en/login/smart-id/notification/", {"personal_code": code})
    refused = Client(REMOTE_ADDR="192.0.2.79").post(
        "/en/login/smart-id/notification/", {"personal_code": "150385 12346"}
    )
    assert refused.status_code == 429


def test_work_number_code_requests_and_checks_are_limited_per_address(tight: Any) -> None:
    client = Client()
    log_in(client, ip="192.0.2.80")
    for _ in range(2):
        assert client.post("/en/work-number/", {"number": "+37120000000"}).status_code != 429
    assert client.post("/en/work-number/confirm/", {"code": "123456"}).status_code == 429
    assert client.get("/en/work-number/").status_code == 200  # looking is not counted


def test_the_upload_helper_limits_one_person_and_leaves_others_alone(tight: Any) -> None:
    @rate_limited(("upload-identity", lambda request: request.headers.get("X-Person")))
    def upload(request: HttpRequest) -> HttpResponse:
        return HttpResponse("stored", status=201)

    factory = RequestFactory()
    assert upload(factory.post("/", HTTP_X_PERSON="anna")).status_code == 201
    refused = upload(factory.post("/", HTTP_X_PERSON="anna"))
    assert refused.status_code == 429
    assert refused["Retry-After"]
    assert upload(factory.post("/", HTTP_X_PERSON="bruno")).status_code == 201


def test_the_api_helper_answers_429_in_the_error_format_per_token(tight: Any) -> None:
    assert api_hit("token-1") is None
    assert api_hit("token-1") is None
    refused = api_hit("token-1")
    assert refused is not None
    assert refused.status_code == 429
    assert refused["Retry-After"]
    assert b'"code": "rate_limited"' in refused.content
    assert api_hit("token-2") is None


@pytest.fixture
def redis_limits(tight: Any) -> Iterator[redis.Redis]:
    """The real Redis, under a key prefix unique to this run; every key it made is deleted afterwards."""
    prefix = f"selfcare-test:{uuid.uuid4().hex}:"
    tight.REDIS_URL = REDIS_URL
    tight.RATELIMIT_KEY_PREFIX = prefix
    client = redis.Redis.from_url(REDIS_URL)
    yield client
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)


def test_with_redis_the_counts_live_in_redis_and_expire_with_their_window(redis_limits: redis.Redis) -> None:
    for _ in range(3):
        hit("login-address", "192.0.2.90")
    with pytest.raises(RateLimited):
        hit("login-address", "192.0.2.90")
    assert RateCounter.objects.count() == 0
    (key,) = list(redis_limits.scan_iter(match="selfcare-test:*"))
    assert int(redis_limits.get(key) or 0) == 4
    assert 0 < redis_limits.ttl(key) <= 601


def test_with_redis_two_processes_share_one_count(redis_limits: redis.Redis) -> None:
    # A second backend object is what another worker process has: its own connection, the same counts.
    other = RedisBackend(REDIS_URL, timeout=2)
    hit("login-code", "15038512346", now=6000.0)
    from selfcare.security.ratelimit.core import _subject

    count, _left = other.hit(_subject("login-code", "15038512346"), 600, 6000.0)
    assert count == 2
    with pytest.raises(RateLimited):
        hit("login-code", "15038512346", now=6000.0)
    reset("login-code", "15038512346", now=6000.0)
    assert hit("login-code", "15038512346", now=6000.0) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="unlogged tables are PostgreSQL's; SQLite has no log")
def test_the_database_backends_counters_do_not_wait_for_the_write_ahead_log_on_postgresql() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = %s", [RateCounter._meta.db_table])
        assert cursor.fetchone() == ("u",)
