"""Every kind of context is served by every operation of the app API: a person who acts in all of them at once
walks every operation of the OpenAPI document in each of their contexts, and gets an answer (or the API's own
refusal), never a server error. A new ContextKind without a role or a right fails here before it fails in an app."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from selfcare.access.contexts import ContextKind
from selfcare.access.tests import factories as people
from selfcare.channels.oidc.claims import ROLES
from selfcare.channels.tests import oidc
from selfcare.channels.tests.test_api import get, post, token_for
from selfcare.customers.tests import factories
from selfcare.mandates.tests import builders

pytestmark = pytest.mark.django_db

API_ERRORS = {401, 403, 404, 409, 422}


def operations() -> list[tuple[str, str]]:
    document = json.loads(Client().get("/api/openapi.json").content)
    return [(path, method) for path, ops in document["paths"].items() for method in ops]


def test_every_kind_of_context_has_a_role() -> None:
    assert set(ROLES) == set(ContextKind)


def test_a_person_acting_in_every_kind_of_context_gets_no_server_error_from_any_operation() -> None:
    oidc.app()
    anna = people.person("15038512346", "ANNA", "BĒRZIŅA")
    main_user_of = factories.company(name="SIA Alfa")
    employee_of = factories.company(name="SIA Beta")
    represents = factories.company(name="SIA Gamma")
    alfa = factories.connection(account=factories.business_account(company=main_user_of))
    beta = factories.connection(account=factories.business_account(company=employee_of))
    private = factories.connection(account=factories.private_account(personal_code="150385-12346"))
    people.mandate(main_user_of, anna)
    people.binding(beta, anna)
    builders.representative(represents, "Anna Bērziņa", "15038512346")
    gamma_mandate = people.mandate(represents, people.person("22079018761", "PĒTERIS", "OZOLS"))
    token = token_for(anna)

    me = get("/api/v1/me", token)
    assert me.status_code == 200
    contexts = json.loads(me.content)["contexts"]
    assert {c["kind"] for c in contexts} == {kind.value for kind in ContextKind}
    assert json.loads(get("/api/v1/contexts", token).content) == contexts

    connection_of = {"private": private.pk, "company": alfa.pk, "work": beta.pk, "representative": alfa.pk}
    answered: dict[str, set[int]] = {}
    for context in contexts:
        values = {
            "context": context["id"],
            "connection_id": connection_of[context["kind"]],
            "mandate_id": gamma_mandate.pk,
            "claim_id": 1,
            "order_id": "00000000-0000-4000-8000-000000000000",
            "bill_id": f"{private.account.account_number}-202601",
        }
        for template, method in operations():
            path = template.format(**values)
            response = get(path, token) if method == "get" else post(path, token, {"offer": 1})
            assert response.status_code < 500, (context["kind"], method, path)
            if response.status_code >= 400:
                assert response.status_code in API_ERRORS, (context["kind"], method, path)
                assert json.loads(response.content)["errors"][0]["code"], path
            answered.setdefault(context["kind"], set()).add(response.status_code)
    # Each kind is actually served, not only refused: its own context and what it may see answer 200.
    assert all(200 in statuses for statuses in answered.values()), answered


def test_a_representative_sees_the_companys_powers_of_attorney_but_not_its_connections() -> None:
    oidc.app()
    liga = people.person("32579104511", "LĪGA", "LIEPA")
    company = factories.company(name="SIA Gamma")
    connection = factories.connection(account=factories.business_account(company=company))
    builders.representative(company, "Līga Liepa", "32579104511")
    mandate = people.mandate(company, people.person("22079018761", "PĒTERIS", "OZOLS"))
    token = token_for(liga)
    key = f"representative-{company.pk}"
    context: dict[str, Any] = json.loads(get(f"/api/v1/contexts/{key}", token).content)
    assert (context["kind"], context["role"]) == ("representative", "legalRepresentative")
    assert context["organization"]["name"] == "SIA Gamma"
    assert [m["id"] for m in json.loads(get(f"/api/v1/contexts/{key}/mandates", token).content)] == [str(mandate.pk)]
    assert get(f"/api/v1/contexts/{key}/connections/{connection.pk}", token).status_code == 404
