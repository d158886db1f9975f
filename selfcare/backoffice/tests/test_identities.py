import datetime

import pytest
from django.test import Client
from django.utils import timezone

from selfcare.access.models import ApprovalRequest, ApprovalStatus
from selfcare.access.tests import factories as people
from selfcare.audit.models import AuditEvent
from selfcare.binding import otp
from selfcare.binding.models import FailureLockoutCleared, OneTimeCode
from selfcare.errors import ErrorCode
from selfcare.identity.methods.base import VerifiedIdentity
from selfcare.identity.models import AuthenticationRecord, DigitalIdentity, NationalIdentifier
from selfcare.identity.services import identity_for

pytestmark = pytest.mark.django_db


def _person(code: str = "16117519997") -> DigitalIdentity:
    return identity_for(VerifiedIdentity("smartid", "LV", code, "JĀNIS", "BĒRZIŅŠ", "qualified", {}))


@pytest.fixture
def staff(client: Client) -> Client:
    return people.staff_client(client, "customer_service", code="32000000001")


def _second_staff_member(*roles: str) -> Client:
    return people.staff_client(Client(), *roles, code="32000000002")


def test_staff_find_a_person_by_personal_code_in_any_form(staff: Client) -> None:
    _person()
    for term in ("161175-19997", "PNOLV-161175-19997"):
        assert "BĒRZIŅŠ" in staff.get("/backoffice/identity/digitalidentity/", {"q": term}).content.decode()


def _codes(identity: DigitalIdentity) -> set[str]:
    return set(NationalIdentifier.objects.filter(identity=identity).values_list("code", flat=True))


def test_a_personal_code_change_is_asked_by_one_staff_member_and_made_when_a_second_approves(staff: Client) -> None:
    identity = _person()
    url = f"/backoffice/identity/digitalidentity/{identity.pk}/change-code/"
    response = staff.post(url, {"new_code": "32579104511"})
    approval = ApprovalRequest.objects.get()
    assert response["Location"] == f"/backoffice/access/approvalrequest/{approval.pk}/change/"
    assert _codes(identity) == {"16117519997"}  # nothing changes on one staff member's word
    # The one who asked cannot approve it.
    staff.post(f"/backoffice/access/approvalrequest/{approval.pk}/decide/approve/")
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.PENDING
    assert _codes(identity) == {"16117519997"}
    second = _second_staff_member("customer_service")
    second.post(f"/backoffice/access/approvalrequest/{approval.pk}/decide/approve/")
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.APPROVED
    assert _codes(identity) == {"16117519997", "32579104511"}
    steps = AuditEvent.objects.filter(subject=identity, action__startswith="access:approval:")
    assert sorted(e.action for e in steps) == [
        "access:approval:approved:code_change",
        "access:approval:requested:code_change",
    ]
    assert len({e.identity_id for e in steps}) == 2


def test_a_second_code_change_is_refused_with_the_reason_when_approved(staff: Client) -> None:
    identity = _person()
    url = f"/backoffice/identity/digitalidentity/{identity.pk}/change-code/"
    second = _second_staff_member("customer_service")
    for new_code in ("32579104511", "32888888888"):
        staff.post(url, {"new_code": new_code})
        approval = ApprovalRequest.objects.latest("pk")
        second.post(f"/backoffice/access/approvalrequest/{approval.pk}/decide/approve/")
    approval.refresh_from_db()
    assert approval.status == ApprovalStatus.FAILED
    assert _codes(identity) == {"16117519997", "32579104511"}


def test_a_code_change_needs_a_recent_eid_login(staff: Client, settings: object) -> None:
    identity = _person()
    session = staff.session
    session["identity.login_at"] = timezone.now().timestamp() - 3600
    session.save()
    url = f"/backoffice/identity/digitalidentity/{identity.pk}/change-code/"
    response = staff.post(url, {"new_code": "32579104511"})
    assert response.status_code == 302
    assert "/login/?next=" in response["Location"]
    assert not ApprovalRequest.objects.exists()


def test_an_invalid_new_code_is_refused_naming_the_field(staff: Client) -> None:
    identity = _person()
    refused = staff.post(f"/backoffice/identity/digitalidentity/{identity.pk}/change-code/", {"new_code": "123"})
    assert refused.status_code == 200
    assert [e.code for e in refused.context["form"].errors.as_data()["new_code"]] == [ErrorCode.PERSONAL_CODE_FORMAT]
    assert not ApprovalRequest.objects.exists()


def test_the_back_office_cannot_create_edit_or_delete_identities_or_authentication_records(staff: Client) -> None:
    identity = _person()
    AuthenticationRecord.objects.create(identity=identity, method="smartid", result="success")
    record = AuthenticationRecord.objects.get()
    assert staff.get("/backoffice/identity/digitalidentity/add/").status_code == 403
    assert staff.get(f"/backoffice/identity/digitalidentity/{identity.pk}/delete/").status_code == 403
    assert (
        staff.post(f"/backoffice/identity/authenticationrecord/{record.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert AuthenticationRecord.objects.count() == 1


def test_a_customer_without_staff_rights_cannot_open_identity_pages(client: Client) -> None:
    identity = _person()
    client.force_login(identity.user)
    response = client.get(f"/backoffice/identity/digitalidentity/{identity.pk}/change-code/")
    assert response.status_code == 302
    assert "/backoffice/login/" in response["Location"]


def _locked_out(identity: DigitalIdentity) -> None:
    earlier = timezone.now() - datetime.timedelta(days=1)
    OneTimeCode.objects.bulk_create(
        OneTimeCode(
            identity=identity, msisdn="+37125100001", code_hash="x", created_at=earlier, expires_at=earlier, attempts=5
        )
        for _ in range(20)
    )


def test_customer_service_sees_a_code_lockout_and_clears_it_recorded_with_their_name(staff: Client) -> None:
    identity = _person()
    _locked_out(identity)
    page = staff.get(f"/backoffice/identity/digitalidentity/{identity.pk}/change/").content.decode()
    url = f"/backoffice/identity/digitalidentity/{identity.pk}/clear-lockout/"
    assert url in page
    assert staff.get(url).status_code == 200
    response = staff.post(url)
    assert response.status_code == 302
    assert not otp.too_many_failures(identity)
    cleared = FailureLockoutCleared.objects.get(identity=identity)
    assert cleared.cleared_by.digital_identity.identifiers.get().code == "32000000001"
    event = AuditEvent.objects.get(action="binding:lockout:cleared", identity=identity)
    assert (event.subject, event.staff_role) == (identity, "customer_service")
    assert "Staff Member" in staff.get(f"/backoffice/identity/digitalidentity/{identity.pk}/change/").content.decode()


def test_staff_without_the_right_to_change_people_cannot_clear_a_lockout(client: Client) -> None:
    identity = _person()
    _locked_out(identity)
    people.staff_client(client, "mandate_officer", "auditor", "offers_editor", "administrator")
    client.post(f"/backoffice/identity/digitalidentity/{identity.pk}/clear-lockout/")
    assert otp.too_many_failures(identity)
    assert not FailureLockoutCleared.objects.exists()
