"""The app API: bearer tokens with scopes, the error shape, and the same answers as the pages — every object
through selfcare.access, with the rightful person and wrong ones."""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from selfcare.access.tests import factories as people
from selfcare.binding.models import BindingStatus, ConnectionBinding, SmsMessage
from selfcare.channels.oidc.claims import pairwise_subject
from selfcare.channels.tests import oidc
from selfcare.channels.tests.oidc import Pkce
from selfcare.customers.models import Connection
from selfcare.customers.tests import factories
from selfcare.identity.models import DigitalIdentity
from selfcare.mandates.models import Mandate, MandateStatus

pytestmark = pytest.mark.django_db

ALL_SCOPES = "openid profile connections binding usage offers mandates bills spend"


@dataclass
class World:
    company_a: Any
    company_b: Any
    a1: Connection
    a2: Connection
    b1: Connection
    private: Connection
    anna: DigitalIdentity  # main user of A, private customer
    peteris: DigitalIdentity  # employee of A, bound to a1
    bruno: DigitalIdentity  # main user of B


@pytest.fixture
def world() -> World:
    oidc.app()
    company_a, company_b = factories.company(name="SIA Alfa"), factories.company(name="SIA Beta")
    account_a = factories.business_account(company=company_a)
    a1 = factories.connection(account=account_a, msisdn="+37125000001", user_label="Pēteris")
    a2 = factories.connection(account=account_a, msisdn="+37125000002", user_label="Ilze")
    b1 = factories.connection(account=factories.business_account(company=company_b))
    private = factories.connection(account=factories.private_account(personal_code="150385-12346"))
    anna = people.person("15038512346", "ANNA", "BĒRZIŅA")
    peteris = people.person("22079018761", "PĒTERIS", "OZOLS")
    bruno = people.person("16117519997", "BRUNO")
    people.mandate(company_a, anna)
    people.mandate(company_b, bruno)
    people.binding(a1, peteris)
    return World(company_a, company_b, a1, a2, b1, private, anna, peteris, bruno)


def token_for(identity: DigitalIdentity, scope: str = ALL_SCOPES, *, age: float = 0) -> str:
    browser = Client()
    oidc.eid_session(browser, identity, age=age)
    pkce = Pkce.new()
    code = oidc.code_from(browser, pkce, scope=scope)
    return str(json.loads(oidc.exchange(browser, code, pkce).content)["access_token"])


def get(path: str, token: str | None, **params: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return Client().get(path, params, headers=headers)


def post(path: str, token: str, body: dict[str, Any]) -> Any:
    return Client().post(path, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")


def codes(response: Any) -> list[str]:
    return [e["code"] for e in json.loads(response.content)["errors"]]


def test_without_a_token_every_operation_is_refused_with_the_error_shape(world: World) -> None:
    for path in (
        "/api/v1/me",
        "/api/v1/contexts",
        "/api/v1/contexts/private/connections",
        f"/api/v1/contexts/private/connections/{world.private.pk}",
    ):
        response = get(path, None)
        assert response.status_code == 401, path
        assert codes(response) == ["unauthenticated"]
        assert json.loads(response.content)["errors"][0]["message"]
    assert get("/api/v1/me", "not-a-token").status_code == 401


def test_a_token_without_the_scope_is_refused_with_403(world: World) -> None:
    token = token_for(world.anna, "openid profile")
    assert get("/api/v1/me", token).status_code == 200
    response = get("/api/v1/contexts/private/connections", token)
    assert response.status_code == 403
    assert codes(response) == ["insufficient_scope"]
    assert 'error="insufficient_scope"' in response["WWW-Authenticate"]


def test_an_expired_or_revoked_token_is_refused(world: World) -> None:
    from oauth2_provider.models import AccessToken

    token = token_for(world.anna)
    AccessToken.objects.update(expires=timezone.now() - datetime.timedelta(seconds=1))
    assert get("/api/v1/me", token).status_code == 401
    other = token_for(world.anna)
    Client().post("/oauth/revoke/", {"token": other, "client_id": "test-app"})
    assert get("/api/v1/me", other).status_code == 401


def test_me_is_the_person_with_the_pairwise_id_and_their_contexts(world: World) -> None:
    me = json.loads(get("/api/v1/me", token_for(world.anna)).content)
    assert me["id"] == pairwise_subject(world.anna.pk, "test-app")
    assert me["name"] == "Anna Bērziņa"
    kinds = [(c["id"], c["role"]) for c in me["contexts"]]
    assert kinds == [("private", "owner"), (f"company-{world.company_a.pk}", "mainUser")]
    assert me["contexts"][1]["organization"]["name"] == "SIA Alfa"


def test_the_connections_of_a_context_are_paged_and_counted(world: World) -> None:
    token = token_for(world.anna)
    path = f"/api/v1/contexts/company-{world.company_a.pk}/connections"
    first = get(path, token, limit=1)
    assert first["X-Total-Count"] == "2"
    assert first["X-Result-Count"] == "1"
    rows = json.loads(first.content)
    assert [r["msisdn"] for r in rows] == ["+37125000001"]
    assert rows[0]["href"] == f"{path}/{world.a1.pk}"
    assert rows[0]["role"] == "mainUser"
    second = json.loads(get(path, token, limit=1, offset=1).content)
    assert [r["msisdn"] for r in second] == ["+37125000002"]


def test_connections_are_searchable_by_number_and_label(world: World) -> None:
    token = token_for(world.anna)
    path = f"/api/v1/contexts/company-{world.company_a.pk}/connections"
    assert [r["msisdn"] for r in json.loads(get(path, token, q="000002").content)] == ["+37125000002"]
    assert [r["label"] for r in json.loads(get(path, token, q="pēter").content)] == ["Pēteris"]


def test_bad_paging_is_a_validation_error_in_the_error_shape(world: World) -> None:
    response = get("/api/v1/contexts/private/connections", token_for(world.anna), limit=1000)
    assert response.status_code == 422
    error = json.loads(response.content)["errors"][0]
    assert (error["code"], error["field"]) == ("invalid_input", "limit")


def test_a_connection_in_detail(world: World) -> None:
    token = token_for(world.anna)
    detail = json.loads(get(f"/api/v1/contexts/private/connections/{world.private.pk}", token).content)
    assert detail["id"] == str(world.private.pk)
    assert detail["role"] == "owner"
    assert detail["tariffPlan"]["id"] == world.private.tariff_plan.code
    assert detail["context"] == "private"


def test_not_yours_is_the_same_404_as_not_there(world: World) -> None:
    anna, peteris = token_for(world.anna), token_for(world.peteris)
    a, b = world.company_a.pk, world.company_b.pk
    refused = [
        (anna, f"/api/v1/contexts/company-{b}/connections"),  # another company
        (anna, f"/api/v1/contexts/company-{a}/connections/{world.b1.pk}"),  # another company's number
        (anna, f"/api/v1/contexts/private/connections/{world.a1.pk}"),  # a company number in the private context
        (peteris, f"/api/v1/contexts/work-{a}/connections/{world.a2.pk}"),  # a colleague's number
        (peteris, f"/api/v1/contexts/company-{a}/connections"),  # an employee is not a main user
        (peteris, "/api/v1/contexts/private"),  # no private contract
        (anna, "/api/v1/contexts/company-999999/connections/1"),
        (anna, "/api/v1/contexts/nonsense"),
    ]
    for token, path in refused:
        response = get(path, token)
        assert response.status_code == 404, path
        assert codes(response) == ["not_found"]


def test_an_employee_sees_only_their_own_connection(world: World) -> None:
    token = token_for(world.peteris)
    rows = json.loads(get(f"/api/v1/contexts/work-{world.company_a.pk}/connections", token).content)
    assert [r["id"] for r in rows] == [str(world.a1.pk)]
    assert rows[0]["role"] == "user"


def test_a_revoked_mandate_cuts_a_live_token_at_once(world: World) -> None:
    token = token_for(world.anna)
    path = f"/api/v1/contexts/company-{world.company_a.pk}/connections"
    assert get(path, token).status_code == 200
    Mandate.objects.filter(company=world.company_a).update(status=MandateStatus.REVOKED)
    assert get(path, token).status_code == 404


def test_a_suspended_identity_loses_its_tokens(world: World) -> None:
    token = token_for(world.anna)
    DigitalIdentity.objects.filter(pk=world.anna.pk).update(status="suspended")
    assert get("/api/v1/me", token).status_code == 401


def test_a_number_is_bound_through_the_api_with_the_code_from_the_sms(world: World) -> None:
    liga = people.person("32579104511", "LĪGA", "LIEPA")
    number = factories.connection(account=factories.business_account(company=world.company_b), msisdn="+37125100001")
    token = token_for(liga)
    started = post("/api/v1/bindings/start", token, {"number": "25100001"})
    assert started.status_code == 202
    assert json.loads(started.content) == {"status": "codeRequested"}
    found = re.search(r"\b(\d{6})\b", SmsMessage.objects.get().text)
    assert found is not None
    wrong = post("/api/v1/bindings/confirm", token, {"code": "000000" if found.group(1) != "000000" else "111111"})
    assert wrong.status_code == 422
    assert json.loads(wrong.content)["errors"][0] | {"message": ""} == {
        "code": "binding_code_wrong",
        "field": "code",
        "message": "",
    }
    bound = post("/api/v1/bindings/confirm", token, {"code": found.group(1)})
    assert bound.status_code == 201, bound.content
    body = json.loads(bound.content)
    assert body["context"] == f"work-{world.company_b.pk}"
    assert ConnectionBinding.objects.get(connection=number, status=BindingStatus.ACTIVE).identity == liga
    assert get(body["connection"], token).status_code == 200


def test_binding_from_the_api_follows_the_pages_rules_invalid_number_and_stale_login(world: World) -> None:
    token = token_for(world.peteris, age=3600)
    invalid = post("/api/v1/bindings/start", token, {"number": "12"})
    assert invalid.status_code == 422
    assert json.loads(invalid.content)["errors"][0]["field"] == "number"
    # Pēteris already has a work number: another needs an eID login from the last few minutes.
    stale = post("/api/v1/bindings/start", token, {"number": "+37125000002"})
    assert codes(stale) == ["binding_fresh_login"]


def test_binding_needs_the_binding_scope(world: World) -> None:
    token = token_for(world.anna, "openid profile connections")
    assert post("/api/v1/bindings/start", token, {"number": "25100001"}).status_code == 403


def test_the_openapi_document_is_served_and_lists_the_v1_operations() -> None:
    document = json.loads(Client().get("/api/openapi.json").content)
    assert document["openapi"].startswith("3.")
    assert {"/api/v1/me", "/api/v1/contexts/{context}/connections", "/api/v1/bindings/start"} <= set(document["paths"])
    assert document["components"]["securitySchemes"]


def test_a_person_whose_mandate_was_revoked_is_told_by_the_api_when_their_rights_ended(world: World) -> None:
    token = token_for(world.anna)
    path = f"/api/v1/contexts/company-{world.company_a.pk}/connections"
    Mandate.objects.filter(company=world.company_a).update(status=MandateStatus.REVOKED)
    response = get(path, token)
    assert response.status_code == 404
    assert codes(response) == ["rights_ended"]
    assert "SIA Alfa" in json.loads(response.content)["errors"][0]["message"]
    # Anyone else asking for that company gets the plain not_found.
    assert codes(get(path, token_for(world.bruno))) == ["not_found"]
