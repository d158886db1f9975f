"""Staff roles are granted and removed by administrators, each step audited; the administrator role itself needs
a second administrator's approval (four eyes)."""

from __future__ import annotations

import pytest
from django.test import Client
from oauth2_provider.models import Application

from selfcare.access.models import ApprovalRequest, ApprovalStatus, StaffRole, StaffRoleGrant
from selfcare.access.staff import roles_of
from selfcare.access.tests import factories as people
from selfcare.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

ADD = "/backoffice/access/staffrolegrant/add/"


def test_an_administrator_grants_a_role_by_personal_code_and_it_is_audited_with_the_person_concerned() -> None:
    admin = people.staff_client(Client(), "administrator")
    newcomer = people.person("32111111111", "JAUNA", "DARBINIECE")
    response = admin.post(ADD, {"personal_code": "321111-11111", "role": "auditor"})
    assert response.status_code == 302
    assert roles_of(newcomer) == {StaffRole.AUDITOR}
    event = AuditEvent.objects.get(action="access:role:granted", subject=newcomer)
    assert event.staff_role == "administrator"


def test_someone_who_never_logged_in_cannot_be_given_a_role() -> None:
    admin = people.staff_client(Client(), "administrator")
    response = admin.post(ADD, {"personal_code": "321111-11111", "role": "auditor"})
    assert response.status_code == 200
    assert "personal_code" in response.context["adminform"].form.errors
    assert not StaffRoleGrant.objects.filter(role="auditor").exists()


def test_only_administrators_grant_roles() -> None:
    people.person("32111111111")
    for role in ("customer_service", "mandate_officer", "offers_editor", "auditor"):
        browser = people.staff_client(Client(), role, code=f"3200000000{len(role) % 10}")
        assert browser.post(ADD, {"personal_code": "321111-11111", "role": "auditor"}).status_code == 403
    assert not StaffRoleGrant.objects.filter(identity__identifiers__code="32111111111").exists()


def test_the_administrator_role_waits_for_a_second_administrators_approval() -> None:
    first = people.staff_client(Client(), "administrator", code="32000000001")
    newcomer = people.person("32111111111")
    response = first.post(ADD, {"personal_code": "32111111111", "role": "administrator"})
    approval = ApprovalRequest.objects.get()
    assert response["Location"] == f"/backoffice/access/approvalrequest/{approval.pk}/change/"
    assert roles_of(newcomer) == set()
    first.post(f"/backoffice/access/approvalrequest/{approval.pk}/decide/approve/")
    assert roles_of(newcomer) == set()  # not by the one who asked
    second = people.staff_client(Client(), "administrator", code="32000000002")
    second.post(f"/backoffice/access/approvalrequest/{approval.pk}/decide/approve/")
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.APPROVED
    assert roles_of(newcomer) == {StaffRole.ADMINISTRATOR}
    grant = StaffRoleGrant.objects.get(identity=newcomer)
    assert grant.granted_by is not None
    assert grant.approved_by is not None
    assert grant.granted_by != grant.approved_by
    assert AuditEvent.objects.filter(action="access:approval:approved:role_grant", subject=newcomer).exists()


def test_a_second_administrator_may_reject_and_nothing_is_granted() -> None:
    first = people.staff_client(Client(), "administrator", code="32000000001")
    newcomer = people.person("32111111111")
    first.post(ADD, {"personal_code": "32111111111", "role": "administrator"})
    approval = ApprovalRequest.objects.get()
    second = people.staff_client(Client(), "administrator", code="32000000002")
    second.post(f"/backoffice/access/approvalrequest/{approval.pk}/decide/reject/")
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.REJECTED
    assert roles_of(newcomer) == set()


def test_an_administrator_removes_a_role_and_it_is_gone_at_the_next_request() -> None:
    admin = people.staff_client(Client(), "administrator", code="32000000001")
    auditor_browser = people.staff_client(Client(), "auditor", code="32000000002")
    assert auditor_browser.get("/backoffice/audit/auditevent/").status_code == 200
    grant = StaffRoleGrant.objects.get(role="auditor")
    admin.post(
        "/backoffice/access/staffrolegrant/",
        {"action": "revoke", "_selected_action": [str(grant.pk)], "status": "", "role__exact": ""},
    )
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    assert AuditEvent.objects.filter(action="access:role:revoked", subject=grant.identity).exists()
    assert auditor_browser.get("/backoffice/audit/auditevent/").status_code != 200


def test_administrators_register_an_app_client_in_the_back_office_and_it_is_audited() -> None:
    admin = people.staff_client(Client(), "administrator")
    response = admin.post(
        "/backoffice/oauth2_provider/application/add/",
        {
            "name": "Partner app",
            "client_id": "partner-app",
            "client_type": "public",
            "authorization_grant_type": "authorization-code",
            "client_secret": "",
            "redirect_uris": "https://partner.example.lv/callback",
            "post_logout_redirect_uris": "",
            "algorithm": "RS256",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    app = Application.objects.get(client_id="partner-app")
    assert AuditEvent.objects.filter(action="access:oauth-client:saved", object_id=str(app.pk)).exists()
