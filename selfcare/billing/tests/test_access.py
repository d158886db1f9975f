"""Who sees which bills: a private customer their own accounts, a company's main user and representative the
company's accounts, an employee never; a bill of another account is the same 404 as a bill that does not exist."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.test import Client
from django.utils import timezone

from selfcare.access.contexts import Action, Context, ContextKind, NotFound, contexts_of
from selfcare.access.policy import billing_accounts_in, may
from selfcare.access.tests import factories as people
from selfcare.audit.models import AuditEvent
from selfcare.billing.selectors import bill_visible, bills_visible
from selfcare.customers.models import Company, CustomerAccount
from selfcare.customers.tests import factories
from selfcare.identity.models import DigitalIdentity
from selfcare.mandates.models import MandateScope
from selfcare.mandates.tests import builders

# The billing simulator reads the accounts from the database in its own server thread: on PostgreSQL it sees only
# committed rows, so these tests commit theirs (transaction=True), as the demo's two processes share one database.
pytestmark = pytest.mark.django_db(transaction=True)


@dataclass
class World:
    alfa: Company
    beta: Company
    alfa_account: CustomerAccount
    beta_account: CustomerAccount
    private_account: CustomerAccount
    anna: DigitalIdentity  # private customer, main user of Alfa
    peteris: DigitalIdentity  # employee of Alfa
    janis: DigitalIdentity  # representative of Alfa
    narrow: DigitalIdentity  # main user of Alfa for one connection only


@pytest.fixture
def world() -> World:
    alfa, beta = factories.company(name="SIA Alfa"), factories.company(name="SIA Beta")
    alfa_account, beta_account = factories.business_account(company=alfa), factories.business_account(company=beta)
    a1 = factories.connection(account=alfa_account)
    factories.connection(account=beta_account)
    private_account = factories.private_account(personal_code="150385-12346")
    factories.connection(account=private_account)
    anna = people.person("15038512346", "ANNA")
    peteris = people.person("22079018761", "PĒTERIS")
    janis = people.person("12047811230", "JĀNIS")
    narrow = people.person("32579104511", "LĪGA")
    people.mandate(alfa, anna)
    mandate = people.mandate(alfa, narrow, scope=MandateScope.SELECTED)
    mandate.connections.add(a1)
    people.binding(a1, peteris)
    builders.representative(alfa, "Jānis Kalniņš", "12047811230", personal_code="12047811230")
    return World(alfa, beta, alfa_account, beta_account, private_account, anna, peteris, janis, narrow)


def _context(identity: DigitalIdentity, kind: ContextKind) -> Context:
    return next(c for c in contexts_of(identity) if c.kind == kind)


def _accounts(context: Context) -> set[str]:
    return set(billing_accounts_in(context).values_list("account_number", flat=True))


def test_a_private_customer_sees_the_bills_of_their_own_accounts_only(world: World) -> None:
    private = _context(world.anna, ContextKind.PRIVATE)
    assert may(private, Action.VIEW_BILLS)
    assert _accounts(private) == {world.private_account.account_number}


def test_a_main_user_sees_the_bills_of_the_companys_accounts_only(world: World) -> None:
    company = _context(world.anna, ContextKind.COMPANY)
    assert _accounts(company) == {world.alfa_account.account_number}


def test_a_representative_sees_the_bills_of_the_company(world: World) -> None:
    representative = _context(world.janis, ContextKind.REPRESENTATIVE)
    assert may(representative, Action.VIEW_BILLS)
    assert _accounts(representative) == {world.alfa_account.account_number}


def test_an_employee_never_sees_the_companys_bills(world: World) -> None:
    work = _context(world.peteris, ContextKind.WORK)
    assert not may(work, Action.VIEW_BILLS)
    assert _accounts(work) == set()
    assert bills_visible(work) == []
    with pytest.raises(NotFound):
        bill_visible(work, f"{world.alfa_account.account_number}-202601")


def test_a_mandate_for_selected_connections_gives_no_bills(world: World) -> None:
    narrow = _context(world.narrow, ContextKind.COMPANY)
    assert narrow.selected_ids is not None
    assert not may(narrow, Action.VIEW_BILLS)
    assert _accounts(narrow) == set()


def _a_bill_id(account: CustomerAccount) -> str:
    last_month = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    return f"{account.account_number}-{last_month:%Y%m}"


def test_a_bill_of_another_account_is_not_found(world: World) -> None:
    company = _context(world.anna, ContextKind.COMPANY)
    account, bill = bill_visible(company, _a_bill_id(world.alfa_account))
    assert account == world.alfa_account
    assert bill.billing_account_id == account.account_number
    for other in (_a_bill_id(world.beta_account), _a_bill_id(world.private_account), "B-99999999-202601"):
        with pytest.raises(NotFound):
            bill_visible(company, other)


def _as(identity: DigitalIdentity) -> Client:
    client = Client()
    client.force_login(identity.user)
    return client


def test_the_pages_answer_the_rightful_people_and_404_everyone_else(world: World) -> None:
    alfa, beta = world.alfa.pk, world.beta.pk
    alfa_bill, beta_bill = _a_bill_id(world.alfa_account), _a_bill_id(world.beta_account)
    anna, peteris, janis = _as(world.anna), _as(world.peteris), _as(world.janis)
    assert anna.get(f"/en/acting/company-{alfa}/bills/").status_code == 200
    assert anna.get("/en/acting/private/bills/").status_code == 200
    assert anna.get(f"/en/acting/company-{alfa}/bills/{alfa_bill}/").status_code == 200
    assert janis.get(f"/en/acting/representative-{alfa}/bills/{alfa_bill}/").status_code == 200
    assert anna.get(f"/en/acting/company-{alfa}/bills/{beta_bill}/").status_code == 404
    assert anna.get(f"/en/acting/company-{alfa}/bills/{beta_bill}/invoice.pdf").status_code == 404
    assert anna.get(f"/en/acting/company-{beta}/bills/").status_code == 404
    assert peteris.get(f"/en/acting/work-{alfa}/bills/").status_code == 404
    assert peteris.get(f"/en/acting/work-{alfa}/bills/{alfa_bill}/").status_code == 404
    assert peteris.get(f"/en/acting/work-{alfa}/bills/{alfa_bill}/invoice.pdf").status_code == 404
    assert not AuditEvent.objects.filter(action="portal:bill:download").exists()


def test_the_pdf_is_an_attachment_and_its_download_is_audited(world: World) -> None:
    bill_id = _a_bill_id(world.alfa_account)
    response = _as(world.anna).get(f"/en/acting/company-{world.alfa.pk}/bills/{bill_id}/invoice.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="invoice-')
    assert response.content.startswith(b"%PDF")
    event = AuditEvent.objects.get(action="portal:bill:download")
    assert event.identity == world.anna
    assert event.context == f"company-{world.alfa.pk}"
    assert event.object_id == str(world.alfa_account.pk)
