import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from selfcare.customers.models import Company, Connection, ConnectionStatus, CustomerAccount, Segment
from selfcare.customers.tests import factories

pytestmark = pytest.mark.django_db


def test_identifiers_typed_in_any_form_are_stored_normalised() -> None:
    account = factories.private_account(personal_code="PNOLV-161175-19997")
    line = factories.connection(msisdn="29 123 456", account=account)
    company = factories.company(registration_number="LV 4000 3521 600", vat_number="lv40003521600")
    account.refresh_from_db()
    line.refresh_from_db()
    assert account.holder_personal_code == "16117519997"
    assert line.msisdn == "+37129123456"
    assert (company.registration_number, company.vat_number) == ("40003521600", "LV40003521600")


def test_a_bad_identifier_is_refused_with_an_error_naming_its_field_and_nothing_is_saved() -> None:
    company = Company(name="SIA Kļūda", registration_number="40003521601")
    with pytest.raises(ValidationError) as error:
        company.full_clean()
    assert list(error.value.message_dict) == ["registration_number"]
    account = CustomerAccount(
        account_number="P-1", kind=Segment.PRIVATE, holder_personal_code="161175-19998", holder_name="X"
    )
    with pytest.raises(ValidationError) as error:
        account.full_clean()
    assert "holder_personal_code" in error.value.message_dict
    assert not Company.objects.exists()
    assert not CustomerAccount.objects.exists()


def test_a_private_account_needs_a_holder_and_a_business_account_a_company_not_both() -> None:
    company = factories.company()
    for bad in (
        CustomerAccount(account_number="X1", kind=Segment.PRIVATE, company=company),
        CustomerAccount(account_number="X2", kind=Segment.BUSINESS),
        CustomerAccount(
            account_number="X3", kind=Segment.BUSINESS, company=company, holder_personal_code="16117519997"
        ),
    ):
        with pytest.raises(ValidationError):
            bad.full_clean()


def test_the_database_itself_refuses_an_account_without_a_holder() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        CustomerAccount.objects.create(account_number="X4", kind=Segment.PRIVATE)


@pytest.mark.parametrize("day", [0, 32])
def test_the_billing_cycle_day_must_be_between_1_and_31(day: int) -> None:
    with pytest.raises(ValidationError) as error:
        factories.business_account(billing_cycle_day=day)
    assert "billing_cycle_day" in error.value.message_dict


def test_the_database_itself_refuses_a_cycle_day_past_31() -> None:
    account = factories.business_account(billing_cycle_day=31)
    with pytest.raises(IntegrityError), transaction.atomic():
        CustomerAccount.objects.filter(pk=account.pk).update(billing_cycle_day=32)


def test_a_number_belongs_to_one_live_connection_but_can_be_reused_after_termination() -> None:
    first = factories.connection(msisdn="+37129123456")
    with pytest.raises(ValidationError):
        factories.connection(msisdn="29123456")
    with pytest.raises(IntegrityError), transaction.atomic():
        Connection.objects.create(
            msisdn="+37129123456",
            account=first.account,
            tariff_plan=first.tariff_plan,
            activated_on=datetime.date(2024, 1, 1),
        )
    first.status = ConnectionStatus.TERMINATED
    first.terminated_on = datetime.date(2025, 1, 1)
    first.save()
    successor = factories.connection(msisdn="+37129123456")
    assert Connection.objects.filter(msisdn="+37129123456").count() == 2
    assert successor.status == ConnectionStatus.ACTIVE


def test_only_a_terminated_connection_has_a_termination_date() -> None:
    with pytest.raises(ValidationError):
        factories.connection(status=ConnectionStatus.TERMINATED)
    with pytest.raises(ValidationError):
        factories.connection(terminated_on=datetime.date(2025, 1, 1))


def test_an_unlimited_plan_must_have_a_fair_use_cap() -> None:
    with pytest.raises(ValidationError):
        factories.tariff_plan(data_bytes=None)
    plan = factories.tariff_plan(data_bytes=None, fair_use_bytes=1000 * 10**9)
    assert plan.has_unlimited_data


def test_private_accounts_are_found_by_the_holders_personal_code() -> None:
    mine = factories.private_account(personal_code="161175-19997")
    factories.private_account(personal_code="150385-12346")
    factories.business_account()
    assert list(CustomerAccount.objects.held_by(country="LV", personal_code="16117519997")) == [mine]
