"""Redis gone (nothing listening, or a Redis that accepts and never answers): pages that need it answer a
translated 503 with Retry-After, and nothing that guards a door fails open.

The portal's settings are the production ones for `REDIS_URL` (selfcare.config.redis_cache, cached_db sessions),
pointed at a real socket fault; DEBUG is off so the production error path (handler500) answers.

Expectations written down for the rate limiter (built elsewhere): it keeps its counters in Redis, and when Redis
is gone it must refuse (the same 503), never let the request through uncounted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import translation

from selfcare.access.tests import factories as people
from selfcare.config import redis_cache
from selfcare.errors import ErrorCode, message
from selfcare.identity.methods.banklink.profiles import bank_profile
from selfcare.identity.models import AuthenticationRecord
from selfcare.outages import RETRY_AFTER_SECONDS
from selfcare.simulators.banks import responses
from selfcare.tests.faults import closed_port, hanging_server

pytestmark = pytest.mark.django_db

ANNA = responses.Person("15038512346", "Anna", "Bērziņa")


@pytest.fixture(params=["down", "hangs"])
def cut_redis(request: pytest.FixtureRequest, settings: Any) -> Iterator[Callable[[], None]]:
    """Calling it makes the portal's Redis down or hanging from then on; DEBUG is off as in production."""
    with hanging_server() as hanging:
        port = hanging if request.param == "hangs" else closed_port()

        def cut() -> None:
            settings.CACHES = {"default": redis_cache(f"redis://127.0.0.1:{port}/0", timeout=0.3)}
            settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
            settings.DEBUG = False

        yield cut


@pytest.fixture
def redis_gone(cut_redis: Callable[[], None]) -> None:
    cut_redis()


def _browser() -> Client:
    return Client(raise_request_exception=False)


def _stored_sessions() -> list[dict[str, Any]]:
    """The sessions as the database holds them (cached_db writes every session there; Redis is gone)."""
    return [session.get_decoded() for session in Session.objects.all()]


def _assert_unavailable(response: Any, language: str) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    with translation.override(language):
        assert message(ErrorCode.SERVICE_UNAVAILABLE) in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_a_bank_login_cannot_start_without_redis_and_says_so(redis_gone: None) -> None:
    """The bank link's single-use nonce lives in Redis: without it there is no login, and a clear page."""
    client = _browser()
    response = client.post("/ru/login/swedbank/")
    _assert_unavailable(response, "ru")
    assert not any("banklink.pending" in data for data in _stored_sessions())


def test_a_bank_answer_arriving_while_redis_is_gone_logs_no_one_in(cut_redis: Callable[[], None]) -> None:
    """Replay protection lives in Redis: it must refuse, not pass, when it cannot check."""
    client = _browser()
    assert client.post("/en/login/swedbank/").status_code == 200
    nonce = client.session["banklink.pending"]["nonce"]
    fields = responses.answer(bank_profile("swedbank"), nonce=nonce, person=ANNA)
    cut_redis()
    response = client.post("/en/login/swedbank/answer/", fields)
    _assert_unavailable(response, "en")
    assert not any("_auth_user_id" in data for data in _stored_sessions())
    assert not AuthenticationRecord.objects.filter(result="success").exists()


def test_a_logged_in_person_gets_the_unavailable_page_not_someone_elses_or_an_anonymous_one(
    cut_redis: Callable[[], None],
) -> None:
    anna = people.person("15038512346")
    client = _browser()
    client.force_login(anna.user)
    cut_redis()
    # cached_db reads the session from the database when Redis fails, but writing it back to Redis fails too.
    _assert_unavailable(client.get("/dashboard/"), "lv")


def test_pages_that_need_no_redis_keep_working(redis_gone: None) -> None:
    client = _browser()
    assert client.get("/en/").status_code == 200
    assert client.get("/healthz").status_code == 200
    # …but the portal is not ready: a load balancer sends people elsewhere while its cache is away.
    readiness = client.get("/readyz")
    assert (readiness.status_code, readiness.json()["cache"]) == (503, "down")
