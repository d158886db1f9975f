"""Property-based tests of the app API from its own OpenAPI document (schemathesis, in-process over WSGI): for
generated requests to every operation, no server error, answers that match the document, and nothing without a
token."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from selfcare.channels.tests.test_api import World, token_for
from selfcare.channels.tests.test_api import world as world  # the fixture, shared

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


# Loaded at collection: pytest-django has set Django up by then, and the document needs no database.
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@pytest.fixture
def authorised(token: str) -> Any:
    """The token, with Django's closing of "old" connections unhooked while the generated calls run.

    Calls go straight to the WSGI app, so Django would close connections around each one, as in production; inside
    the test's transaction that closes the test's own connection (PostgreSQL; SQLite's in-memory one is never
    closed). Django's test client unhooks the same handlers for the same reason, and hooks them again after each of
    its requests: hence after `token`, which logs in through it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield token
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(world: World) -> str:
    """One token per operation (fixtures are set up once for all of an operation's generated examples)."""
    return token_for(world.anna)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_generated_request_gets_a_server_error_or_an_answer_without_a_token(case: Any, authorised: str) -> None:
    # Negative cases (wrong methods, malformed input) must be refused cleanly; positive ones must also match the
    # document in status, content type and body.
    checks = CHECKS if case.meta.generation.mode == GenerationMode.POSITIVE else [not_a_server_error]
    anonymous = case.call()
    # 405/422: refused before authentication, for a wrong method or malformed input.
    assert anonymous.status_code in (401, 405, 422), anonymous.text
    case.validate_response(anonymous, checks=checks)
    case.call_and_validate(headers={"Authorization": f"Bearer {authorised}"}, checks=checks)
