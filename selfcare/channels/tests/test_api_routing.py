"""The app API answered outside the portal's page middlewares (selfcare/channels/api/routing.py): what it keeps (the
security headers, the Host check, error messages in the app's language), what it leaves out (sessions, cookies), that
pages still get the whole chain, the remaining-data answer built without response models still exactly what its
schema renders, and how many statements one remaining-data call costs."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from pydantic import TypeAdapter

from selfcare.channels.api import api
from selfcare.channels.api.v1.contexts import ConnectionOut
from selfcare.channels.api.v1.usage import UsageConsumptionOut
from selfcare.channels.tests.test_api import World, get, token_for
from selfcare.channels.tests.test_api import world as world  # the fixture, shared
from selfcare.channels.tests.test_api_resources import usage_path
from selfcare.customers.models import GB
from selfcare.usage.services import grant_bonus

pytestmark = pytest.mark.django_db


def test_an_api_answer_keeps_the_security_headers_and_sets_no_cookie(world: World) -> None:
    answer = get("/api/v1/me", token_for(world.anna))
    assert answer.status_code == 200, answer.content
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert answer["Referrer-Policy"] == "same-origin"
    assert answer["X-Frame-Options"] == "DENY"
    assert "camera=()" in answer["Permissions-Policy"]
    policy = answer["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "script-src" not in policy  # an answer loads nothing at all
    assert answer["Content-Length"] == str(len(answer.content))
    assert not answer.cookies


def test_an_api_call_with_a_portal_session_cookie_neither_reads_nor_renews_it(world: World) -> None:
    browser = Client()
    browser.force_login(world.anna.user)
    answer = browser.get("/api/v1/me")  # the session cookie alone is not a caller
    assert answer.status_code == 401
    assert not answer.cookies


@pytest.mark.parametrize(
    ("accept", "language", "fragment"),
    [("", "lv", "Vispirms piesakieties"), ("en", "en", "Log in first"), ("ru-RU,ru;q=0.9,en;q=0.8", "ru", "Снач")],
)
def test_api_errors_are_in_the_language_the_app_asks_for(accept: str, language: str, fragment: str) -> None:
    headers = {"Accept-Language": accept} if accept else {}
    answer = Client().get("/api/v1/me", headers=headers)
    assert answer.status_code == 401
    assert answer["Content-Language"] == language
    assert "Accept-Language" in answer["Vary"]
    assert fragment in json.loads(answer.content)["errors"][0]["message"]


def test_the_api_refuses_a_host_that_is_not_allowed(world: World) -> None:
    answer = Client().get("/api/v1/me", HTTP_HOST="evil.example", HTTP_AUTHORIZATION=f"Bearer {token_for(world.anna)}")
    assert answer.status_code == 400


def test_a_page_still_goes_through_the_whole_chain(client: Client) -> None:
    page = client.get("/en/login/")
    assert page.status_code == 200
    assert page["Content-Language"] == "en"  # LocaleMiddleware, from the path
    assert "script-src 'self'" in page["Content-Security-Policy"]  # the portal's policy, from django-csp
    assert page["X-Frame-Options"] == "DENY"
    assert "csrftoken" in page.cookies or "csrfmiddlewaretoken" in page.content.decode()


def test_an_api_path_no_operation_matches_gets_the_portals_404(client: Client) -> None:
    answer = client.get("/api/v1/no-such-resource", headers={"Accept-Language": "en"})
    assert answer.status_code == 404
    assert "script-src 'self'" in answer["Content-Security-Policy"]  # answered through the page chain


def test_remaining_data_is_byte_for_byte_what_its_schema_renders(world: World) -> None:
    grant_bonus(world.a1, unit="byte", amount=5 * GB, label="Tele2 Komplimenti: 5 GB", source_key="test-gift")
    plan = world.private.tariff_plan
    plan.data_bytes, plan.fair_use_bytes = None, 100 * GB
    plan.save()
    token = token_for(world.anna)
    for path in (usage_path(f"company-{world.company_a.pk}", world.a1.pk), usage_path("private", world.private.pk)):
        answer = get(path, token)
        assert answer.status_code == 200, answer.content
        model = UsageConsumptionOut.model_validate(json.loads(answer.content))
        rendered = api.renderer.render(None, model.model_dump(by_alias=True), response_status=200)  # type: ignore[arg-type]
        assert answer.content.decode() == rendered
        assert answer["Content-Type"] == "application/json; charset=utf-8"


def test_a_page_of_connections_is_byte_for_byte_what_its_schema_renders(world: World) -> None:
    answer = get(f"/api/v1/contexts/company-{world.company_a.pk}/connections", token_for(world.anna), limit=2)
    assert answer.status_code == 200, answer.content
    assert (answer["X-Total-Count"], answer["X-Result-Count"]) == ("2", "2")
    models = TypeAdapter(list[ConnectionOut]).validate_python(json.loads(answer.content))
    rendered = api.renderer.render(None, [m.model_dump() for m in models], response_status=200)  # type: ignore[arg-type]
    assert answer.content.decode() == rendered
    assert [c["msisdn"] for c in json.loads(answer.content)] == ["+37125000001", "+37125000002"]


def test_one_remaining_data_call_costs_six_statements(
    world: World, django_assert_num_queries: pytest.FixtureRequest
) -> None:
    token = token_for(world.anna)
    path = usage_path(f"company-{world.company_a.pk}", world.a1.pk)
    assert get(path, token).status_code == 200  # the cycle's buckets are opened by the first read
    # The token with its client login and person, the rate counter, the context (the mandate, with the person's
    # codes read inside it), the connection, its buckets and its daily use: no session, no user, nothing from the
    # page middlewares.
    with django_assert_num_queries(6):  # type: ignore[operator]
        assert get(path, token).status_code == 200
