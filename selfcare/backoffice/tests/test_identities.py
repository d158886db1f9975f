import datetime

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

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
    client.force_login(User.objects.create_user("agent", is_staff=True, is_superuser=True))
    return client


def test_staff_find_a_person_by_personal_code_in_any_form(staff: Client) -> None:
    _person()
    for term in ("161175-19997", "PNOLV-161175-19997"):
        assert "BĒRZIŅŠ" in staff.get("/backoffice/identity/digitalidentity/", {"q": term}).content.decode()


def test_staff_record_a_personal_code_change_and_both_codes_then_resolve_to_the_person(staff: Client) -> None:
    identity = _person()
    url = f"/backoffice/identity/digitalidentity/{identity.pk}/change-code/"
    response = staff.post(url, {"new_code": "32579104511"})
    assert response.status_code == 302
    assert set(NationalIdentifier.objects.filter(identity=identity).values_list("code", flat=True)) == {
        "16117519997",
        "32579104511",
    }
    refused = staff.post(url, {"new_code": "32888888888"})
    assert refused.status_code == 200
    assert [e.code for e in refused.context["form"].errors.as_data()["new_code"]] == [
        ErrorCode.CODE_CHANGE_ALREADY_DONE
    ]
    assert NationalIdentifier.objects.filter(identity=identity).count() == 2


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
    assert cleared.cleared_by.username == "agent"
    assert AuditEvent.objects.filter(action="binding:lockout:cleared", identity=identity).exists()
    assert "agent" in staff.get(f"/backoffice/identity/digitalidentity/{identity.pk}/change/").content.decode()


def test_staff_without_the_right_to_change_people_cannot_clear_a_lockout(client: Client) -> None:
    identity = _person()
    _locked_out(identity)
    client.force_login(User.objects.create_user("reader", is_staff=True))
    client.post(f"/backoffice/identity/digitalidentity/{identity.pk}/clear-lockout/")
    assert otp.too_many_failures(identity)
    assert not FailureLockoutCleared.objects.exists()
