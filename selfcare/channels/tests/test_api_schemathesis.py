"""Property-based tests of the app API from its own OpenAPI document (schemathesis, in-process over WSGI): for
generated requests to every operation, no server error, answers that match the document, and nothing without a
token."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
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
def token(world: World) -> str:
    """One token per operation (fixtures are set up once for all of an operation's generated examples)."""
    return token_for(world.anna)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_generated_request_gets_a_server_error_or_an_answer_without_a_token(case: Any, token: str) -> None:
    # Negative cases (wrong methods, malformed input) must be refused cleanly; positive ones must also match the
    # document in status, content type and body.
    checks = CHECKS if case.meta.generation.mode == GenerationMode.POSITIVE else [not_a_server_error]
    anonymous = case.call()
    # 405/422: refused before authentication, for a wrong method or malformed input.
    assert anonymous.status_code in (401, 405, 422), anonymous.text
    case.validate_response(anonymous, checks=checks)
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=checks)
