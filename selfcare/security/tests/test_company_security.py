"""The company security page: main users of the whole company see its mandates, bindings and audit, and export
the audit as CSV; everyone else gets a missing page."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client

from selfcare.access.contexts import Context, ContextKind
from selfcare.access.tests import factories as people
from selfcare.audit.models import AuditEvent
from selfcare.customers.tests import factories
from selfcare.mandates.models import MandateScope

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    alfa, beta = factories.company(name="SIA Alfa"), factories.company(name="SIA Beta")
    work = factories.connection(account=factories.business_account(company=alfa), msisdn="+37125500001")
    factories.connection(account=factories.business_account(company=beta), msisdn="+37125500002")
    anna = people.person("15038512346", "ANNA", "BĒRZIŅA")
    peteris = people.person("22079018761", "=HYPERLINK(1)", "OZOLS")
    bruno = people.person("16117519997", "BRUNO", "BĒRZS")
    people.mandate(alfa, anna)
    people.mandate(beta, bruno)
    people.binding(work, peteris)
    AuditEvent.objects.create(
        identity=peteris,
        context=f"work-{alfa.pk}",
        company_id=alfa.pk,
        action="binding:bound",
        object_type="customers.connection",
        object_id=str(work.pk),
    )
    AuditEvent.objects.create(identity=bruno, context=f"company-{beta.pk}", company_id=beta.pk, action="beta:secret")
    return {"alfa": alfa, "beta": beta, "anna": anna, "peteris": peteris, "bruno": bruno, "work": work}


def _client(identity: Any) -> Client:
    client = Client()
    client.force_login(identity.user)
    return client


def test_a_main_user_sees_the_companys_mandates_bindings_and_who_did_what(world: dict[str, Any]) -> None:
    alfa = world["alfa"]
    page = _client(world["anna"]).get(f"/en/acting/company-{alfa.pk}/security/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Anna Bērziņa" in text  # the mandate's attorney
    assert "+371 25 500 001" in text  # the binding
    assert "Work number bound" in text  # the audit event, named for people
    assert "beta:secret" not in text  # another company's audit never shows


def test_who_did_what_names_the_object_as_people_read_it_not_its_stored_reference(world: dict[str, Any]) -> None:
    alfa = world["alfa"]
    text = _client(world["anna"]).get(f"/en/acting/company-{alfa.pk}/security/").content.decode()
    row = text[text.index("Work number bound") :]
    row = row[: row.index("</tr>")]
    assert "+371 25 500 001" in row
    assert "customers.connection" not in text


def test_the_audit_exports_as_csv_with_formula_cells_defused_and_the_export_itself_audited(
    world: dict[str, Any],
) -> None:
    alfa = world["alfa"]
    response = _client(world["anna"]).get(f"/en/acting/company-{alfa.pk}/security/audit.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:5] == ["time_utc", "person", "identity", "context", "action"]
    actions = [row[4] for row in rows[1:]]
    assert "binding:bound" in actions
    assert "beta:secret" not in actions
    bound = next(row for row in rows[1:] if row[4] == "binding:bound")
    assert bound[1].startswith("'=")
    assert AuditEvent.objects.filter(action="security:audit:export", company_id=alfa.pk).exists()


def test_a_main_user_whose_mandate_covers_only_selected_connections_gets_a_missing_page(
    world: dict[str, Any],
) -> None:
    alfa = world["alfa"]
    narrow = people.person("32579104511", "ILZE")
    mandate = people.mandate(alfa, narrow, scope=MandateScope.SELECTED)
    mandate.connections.add(world["work"])
    client = _client(narrow)
    assert client.get(f"/en/acting/company-{alfa.pk}/connections/").status_code == 200
    assert client.get(f"/en/acting/company-{alfa.pk}/security/").status_code == 404
    assert client.get(f"/en/acting/company-{alfa.pk}/security/audit.csv").status_code == 404


def test_the_policy_gives_company_security_only_to_whole_company_main_users() -> None:
    from selfcare.access.contexts import Action
    from selfcare.access.policy import may

    assert may(Context(ContextKind.COMPANY, 1), Action.VIEW_COMPANY_SECURITY)
    assert not may(Context(ContextKind.COMPANY, 1, selected_ids=(5,)), Action.VIEW_COMPANY_SECURITY)
    assert not may(Context(ContextKind.WORK, 1), Action.VIEW_COMPANY_SECURITY)
    assert not may(Context(ContextKind.PRIVATE), Action.VIEW_COMPANY_SECURITY)
