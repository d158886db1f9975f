import pytest
from django.contrib.auth.models import User
from django.test import Client, RequestFactory
from django.utils import translation

from selfcare.access.tests import factories as people
from selfcare.backoffice.customers import ConnectionAdmin, CustomerAccountAdmin
from selfcare.backoffice.site import backoffice_site
from selfcare.customers.models import Connection, CustomerAccount
from selfcare.customers.tests import factories
from selfcare.errors import ErrorCode, message

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client: Client) -> Client:
    return people.staff_client(client, "customer_service")


def test_anonymous_visitors_are_sent_to_the_login_and_see_no_data(client: Client) -> None:
    factories.connection(msisdn="+37129123456")
    response = client.get("/backoffice/customers/connection/")
    assert response.status_code == 302
    assert "+37129123456" not in response.content.decode()


def test_a_person_who_is_not_staff_cannot_open_the_back_office(client: Client) -> None:
    factories.connection(msisdn="+37129123456")
    client.force_login(User.objects.create_user("customer", is_staff=False))
    response = client.get("/backoffice/customers/connection/")
    assert response.status_code == 302
    assert "+37129123456" not in response.content.decode()


def test_staff_find_a_connection_by_the_number_as_people_type_it(staff_client: Client) -> None:
    factories.connection(msisdn="+37129123456", user_label="Ilze")
    factories.connection(msisdn="+37129999999", user_label="Other")
    html = staff_client.get("/backoffice/customers/connection/", {"q": "29 123 456"}).content.decode()
    assert "+37129123456" in html
    assert "+37129999999" not in html


def test_staff_find_accounts_by_personal_code_with_or_without_hyphen(staff_client: Client) -> None:
    factories.private_account(personal_code="161175-19997", holder_name="Jānis Bērziņš")
    factories.private_account(personal_code="150385-12346", holder_name="Anna Bērziņa")
    for term in ("161175-19997", "16117519997", "PNOLV-161175-19997"):
        html = staff_client.get("/backoffice/customers/customeraccount/", {"q": term}).content.decode()
        assert "Jānis Bērziņš" in html
        assert "Anna Bērziņa" not in html


def test_staff_find_a_company_and_its_connections_by_registration_number(staff_client: Client) -> None:
    company = factories.company(name="SIA Meklējamā", registration_number="40003521600")
    account = factories.business_account(company=company)
    factories.connection(account=account, msisdn="+37126000111")
    factories.connection(msisdn="+37126000222")
    assert (
        "SIA Meklējamā" in staff_client.get("/backoffice/customers/company/", {"q": "LV40003521600"}).content.decode()
    )
    html = staff_client.get("/backoffice/customers/connection/", {"q": "40003521600"}).content.decode()
    assert "+37126000111" in html
    assert "+37126000222" not in html


def test_an_invalid_number_in_the_back_office_connection_form_is_refused_naming_the_field() -> None:
    plan = factories.tariff_plan()
    account = factories.business_account()
    request = RequestFactory().get("/")
    request.user = people.staff("customer_service").user
    form_class = ConnectionAdmin(Connection, backoffice_site).get_form(request)
    data = {"msisdn": "2912345", "account": account.pk, "tariff_plan": plan.pk, "status": "active"}
    form = form_class(data={**data, "activated_on": "2024-01-01"})
    with translation.override("lv"):
        assert not form.is_valid()
        assert form.errors == {"msisdn": [message(ErrorCode.PHONE_NUMBER_INVALID)]}
    assert not Connection.objects.exists()


def test_customer_data_is_read_only_in_the_back_office_for_every_role(staff_client: Client) -> None:
    account = factories.business_account()
    assert staff_client.get("/backoffice/customers/connection/add/").status_code == 403
    response = staff_client.post(f"/backoffice/customers/customeraccount/{account.pk}/change/", {"status": "closed"})
    assert response.status_code in (302, 403)
    account.refresh_from_db()
    assert account.status != "closed"


def test_staff_save_an_account_holder_code_typed_with_hyphen_space_or_prefix(staff_client: Client) -> None:
    account = factories.private_account(personal_code="161175-19997")
    request = RequestFactory().get("/")
    request.user = people.staff("customer_service", code="32000000002").user
    model_admin = CustomerAccountAdmin(CustomerAccount, backoffice_site)
    form_class = model_admin.get_form(request)  # the form itself: customer data is read-only for every role
    for typed in ("325791-04511", "325791 04511", "PNOLV-325791-04511"):
        data = {name: getattr(account, name) for name in form_class.base_fields if name != "company"}
        form = form_class(data={**data, "holder_personal_code": typed}, instance=account)
        assert form.is_valid(), form.errors
        assert form.save().holder_personal_code == "32579104511"
