"""The rate limiter keeps its counters in Redis when REDIS_URL is set; when that Redis is gone (nothing listening,
or accepting and never answering) a limited door refuses with the translated 503 and Retry-After: it never lets the
request through uncounted.

Only the limiter's Redis is cut here (the cache stays local), so what answers is the limiter and nothing else.
DEBUG is off so the production error path (handler500, selfcare/portal/unavailable.py) answers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from selfcare.access.tests import factories as people
from selfcare.binding.models import OneTimeCode
from selfcare.errors import ErrorCode, message
from selfcare.identity.models import AuthenticationRecord
from selfcare.outages import RETRY_AFTER_SECONDS
from selfcare.portal.login.smartid import PENDING
from selfcare.security.ratelimit.backends import RedisBackend, backend
from selfcare.security.ratelimit.web import api_hit
from selfcare.tests.faults import closed_port, hanging_server

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["down", "hangs"])
def limiter_redis_gone(request: pytest.FixtureRequest, settings: Any) -> Iterator[None]:
    with hanging_server() as hanging:
        port = hanging if request.param == "hangs" else closed_port()
        settings.REDIS_URL = f"redis://127.0.0.1:{port}/0"
        settings.REDIS_TIMEOUT_SECONDS = 0.3
        settings.DEBUG = False
        yield


def _assert_unavailable(response: Any, language: str) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    with translation.override(language):
        assert message(ErrorCode.SERVICE_UNAVAILABLE) in response.content.decode()
    assert "Traceback" not in response.content.decode()


def test_a_smart_id_login_cannot_start_uncounted_when_the_limiter_cannot_count(limiter_redis_gone: None) -> None:
    client = Client(raise_request_exception=False)
    response = client.post("/ru/login/smart-id/notification/", {"personal_code": "150385-12346"})
    _assert_unavailable(response, "ru")
    assert PENDING not in client.session
    assert not AuthenticationRecord.objects.exists()  # the eID provider was never asked


def test_a_work_number_code_is_not_sent_uncounted_when_the_limiter_cannot_count(limiter_redis_gone: None) -> None:
    anna = people.person("15038512346")
    client = Client(raise_request_exception=False)
    client.force_login(anna.user)
    response = client.post("/en/work-number/", {"number": "+37125500001"})
    _assert_unavailable(response, "en")
    assert not OneTimeCode.objects.exists()


def test_pages_the_limiter_does_not_guard_keep_working(limiter_redis_gone: None) -> None:
    client = Client(raise_request_exception=False)
    assert client.get("/en/login/smart-id/").status_code == 200


def test_the_app_api_counter_refuses_in_its_json_format_when_redis_is_gone(limiter_redis_gone: None) -> None:
    with translation.override("lv"):
        response = api_hit("token-1")
    assert response is not None
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    with translation.override("lv"):
        assert json.loads(response.content)["errors"] == [
            {"code": "service_unavailable", "message": message(ErrorCode.SERVICE_UNAVAILABLE), "field": None}
        ]


def test_the_limiter_waits_for_redis_no_longer_than_the_configured_timeout(limiter_redis_gone: None) -> None:
    """A hanging Redis holds a worker for REDIS_TIMEOUT_SECONDS at most, the same bound the cache has."""
    limiter = backend()
    assert isinstance(limiter, RedisBackend)
    options = limiter.client.connection_pool.connection_kwargs
    assert options["socket_timeout"] == options["socket_connect_timeout"] == 0.3
