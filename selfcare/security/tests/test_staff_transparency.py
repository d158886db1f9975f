"""A person sees on My security when staff opened their data or acted on it (which role, what, when — not the
staff member's name unless STAFF_NAMES_VISIBLE); a company's security page shows the same for the company."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client

from selfcare.access.models import ApprovalRequest
from selfcare.access.tests import factories as people
from selfcare.customers.tests import factories
from selfcare.mandates.models import MandateStatus
from selfcare.mandates.tests import builders
from selfcare.security.tests.helpers import log_in

pytestmark = pytest.mark.django_db

ANNA = "15038512346"


def _staff_actions(client: Client) -> str:
    html = client.get("/en/me/security/").content.decode()
    start = html.index('id="staff-title"')
    return html[start : html.index("</section>", start)]


def test_a_person_sees_that_customer_service_opened_their_identity_by_role_not_by_name() -> None:
    anna_browser = Client()
    anna = log_in(anna_browser, ANNA)
    assert "Nobody on the staff has opened your data." in _staff_actions(anna_browser)
    staff = people.staff_client(Client(), "customer_service")
    assert staff.get(f"/backoffice/identity/digitalidentity/{anna.pk}/change/").status_code == 200
    section = _staff_actions(anna_browser)
    assert "Tele2 staff: customer service" in section
    assert "Your identity data opened by staff" in section
    assert "Staff Member" not in section  # the staff member's name stays inside the company
    other = Client()
    log_in(other, "16117519997")
    assert "Nobody on the staff has opened your data." in _staff_actions(other)


def test_the_staff_members_name_is_shown_when_the_configuration_says_so(settings: Any) -> None:
    settings.STAFF_NAMES_VISIBLE = True
    anna_browser = Client()
    anna = log_in(anna_browser, ANNA)
    people.staff_client(Client(), "customer_service").get(f"/backoffice/identity/digitalidentity/{anna.pk}/change/")
    assert "Tele2 staff: customer service (Staff Member)" in _staff_actions(anna_browser)


def test_the_attorney_and_the_company_see_both_steps_of_a_four_eyes_activation() -> None:
    company = factories.company(name="SIA Alfa")
    anna_browser = Client()
    log_in(anna_browser, ANNA)
    mandate = builders.draft(company, attorney_code=ANNA, attorney_name="Anna Bērziņa")
    _attach(mandate)  # a scan: not verified
    first = people.staff_client(Client(), "mandate_officer", code="32000000001")
    second = people.staff_client(Client(), "mandate_officer", code="32000000002")
    first.post(f"/backoffice/mandates/mandate/{mandate.pk}/decide/activate/", {"reason": "checked by phone"})
    approval = ApprovalRequest.objects.get()
    second.post(f"/backoffice/access/approvalrequest/{approval.pk}/decide/approve/")
    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.ACTIVE
    section = _staff_actions(anna_browser)
    assert "Activation of an unverified power of attorney asked (waits for a second staff member)" in section
    assert "Activation of an unverified power of attorney approved by a second staff member" in section
    assert "Power of attorney activated" in section
    assert section.count("Tele2 staff: mandate officer") >= 3
    # Anna is now the company's main user: its security page shows the same, by role, and so does the CSV.
    page = anna_browser.get(f"/en/acting/company-{company.pk}/security/").content.decode()
    assert "Activation of an unverified power of attorney approved by a second staff member" in page
    assert "Tele2 staff: mandate officer" in page
    assert "Staff Member" not in page
    rows = list(
        csv.reader(
            io.StringIO(anna_browser.get(f"/en/acting/company-{company.pk}/security/audit.csv").content.decode())
        )
    )
    staff_rows = [row for row in rows if row[1].startswith("Tele2 staff")]
    assert staff_rows
    assert all(row[2] == "" for row in staff_rows)  # no staff identity id either


def _attach(mandate: Any) -> None:
    from selfcare.mandates import services
    from selfcare.mandates.documents import document_attach
    from selfcare.mandates.models import DocumentChannel

    document_attach(
        request=None,
        mandate=mandate,
        data=builders.MINIMAL_PDF,
        original_name="scan.pdf",
        channel=DocumentChannel.EMAIL,
        by=services.SYSTEM,
        context=None,
    )
    mandate.refresh_from_db()


def test_a_person_who_logs_in_for_the_first_time_later_sees_what_staff_did_with_a_mandate_naming_them() -> None:
    mandate = builders.draft(factories.company(name="SIA Alfa"), attorney_code=ANNA, attorney_name="Anna Bērziņa")
    _attach(mandate)
    officer = people.staff_client(Client(), "mandate_officer", code="32000000001")
    officer.get(f"/backoffice/mandates/mandate/{mandate.pk}/change/")
    officer.post(f"/backoffice/mandates/mandate/{mandate.pk}/decide/activate/", {"reason": "checked by phone"})
    anna_browser = Client()
    log_in(anna_browser, ANNA)  # her digital identity is made only now
    section = _staff_actions(anna_browser)
    assert "Power of attorney opened by staff" in section
    assert "Activation of an unverified power of attorney asked (waits for a second staff member)" in section
    other = Client()
    log_in(other, "16117519997")
    assert "Nobody on the staff has opened your data." in _staff_actions(other)


def test_opening_a_persons_connection_account_or_claim_in_the_back_office_is_audited_for_them() -> None:
    from selfcare.audit.models import AuditEvent
    from selfcare.offers.models import OfferClaim
    from selfcare.offers.tests import factories as offers

    anna = people.person(ANNA)
    account = factories.private_account(personal_code=ANNA)
    connection = factories.connection(account=account)
    claim = OfferClaim.objects.create(
        offer=offers.offer(),
        identity=anna,
        connection=connection,
        context="private",
        idempotency_key="k",
        limit_key="l",
    )
    customer_service = people.staff_client(Client(), "customer_service")
    customer_service.get(f"/backoffice/customers/connection/{connection.pk}/change/")
    customer_service.get(f"/backoffice/customers/customeraccount/{account.pk}/change/")
    people.staff_client(Client(), "offers_editor", code="32000000002").get(
        f"/backoffice/offers/offerclaim/{claim.pk}/change/"
    )
    seen = AuditEvent.objects.filter(subject=anna).values_list("action", "staff_role")
    assert sorted(seen) == [
        ("backoffice:claims:view", "offers_editor"),
        ("backoffice:customers:view", "customer_service"),
        ("backoffice:customers:view", "customer_service"),
    ]
    customer_service.get("/backoffice/customers/connection/")  # a list names nobody in particular: not recorded
    assert AuditEvent.objects.filter(subject=anna).count() == 3
