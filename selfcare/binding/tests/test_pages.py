"""The work-number pages, the first-login step, the main user's view and end of a binding, the demo phone."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from selfcare.access.tests import factories as people
from selfcare.binding.models import BindingStatus, ConnectionBinding, SmsMessage
from selfcare.customers.models import Connection, ConnectionStatus
from selfcare.customers.tests import factories
from selfcare.demo.loader import load_demo
from selfcare.identity.models import DigitalIdentity
from selfcare.simulators.testing import SimulatorsClient

pytestmark = pytest.mark.django_db

NUMBER = "+37125100001"


def logged_in(identity: DigitalIdentity) -> Client:
    client = Client()
    client.force_login(identity.user)
    return client


@pytest.fixture
def company_number() -> Connection:
    return factories.connection(account=factories.business_account(), msisdn=NUMBER)


def test_a_person_with_no_context_is_asked_for_a_work_number_once_per_session_and_can_skip_it() -> None:
    client = logged_in(people.person("32579104511"))
    first = client.get("/en/dashboard/")
    assert first.status_code == 302
    assert first["Location"] == "/en/work-number/?first=1"
    html = client.get(first["Location"]).content.decode()
    assert "Log in with your work number" in html
    assert 'href="/en/dashboard/">Skip this step' in html
    assert client.get("/en/dashboard/").status_code == 200


def test_a_person_with_a_context_goes_straight_to_the_dashboard(company_number: Connection) -> None:
    peteris = people.person("22079018761")
    people.binding(company_number, peteris)
    assert logged_in(peteris).get("/en/dashboard/").status_code == 200


def test_a_person_binds_a_number_through_the_pages_and_then_sees_only_that_connection(
    company_number: Connection,
) -> None:
    factories.connection(account=company_number.account)  # a colleague's number of the same company
    client = logged_in(people.person("32579104511"))
    response = client.post("/en/work-number/", {"number": "+371 25 100 001"})
    assert response["Location"] == "/en/work-number/confirm/"
    assert (
        "If this number can be bound, we sent a code to it: +371 25 100 001."
        in client.get("/en/work-number/confirm/").content.decode()
    )
    found = re.search(r"\b(\d{6})\b", SmsMessage.objects.get(to=NUMBER).text)
    assert found is not None
    assert client.post("/en/work-number/confirm/", {"code": found.group(1)})["Location"] == "/en/dashboard/"
    groups = client.get("/en/dashboard/").context["groups"]
    assert [[c.msisdn for c in g.connections] for g in groups] == [[NUMBER]]


def test_a_number_that_cannot_be_bound_gets_the_same_pages_as_one_that_can(company_number: Connection) -> None:
    answers = []
    for code, number, shown in (
        ("32000000001", "+37125100001", "+371 25 100 001"),
        ("32000000002", "+37125999999", "+371 25 999 999"),
    ):
        client = logged_in(people.person(code))
        response = client.post("/en/work-number/", {"number": number})
        page = client.get(response["Location"]).content.decode()
        main = re.search(r"<main.*</main>", page, re.DOTALL)
        assert main is not None
        main_text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", main.group(0)).replace(shown, "NUMBER")
        answers.append((response.status_code, response["Location"], main_text))
    assert answers[0] == answers[1]
    assert SmsMessage.objects.count() == 1


def test_an_invalid_number_and_a_wrong_code_are_explained_next_to_their_field(company_number: Connection) -> None:
    client = logged_in(people.person("32579104511"))
    html = client.post("/en/work-number/", {"number": "12"}).content.decode()
    assert 'aria-describedby="number-error number-help"' in html
    assert 'id="number-error">This is not a valid phone number' in html
    client.post("/en/work-number/", {"number": NUMBER})
    found = re.search(r"\b(\d{6})\b", SmsMessage.objects.get().text)
    assert found is not None
    wrong = "000000" if found.group(1) != "000000" else "111111"
    html = client.post("/en/work-number/confirm/", {"code": wrong}).content.decode()
    assert 'aria-describedby="code-error"' in html
    assert 'id="code-error">This code is not right.' in html


@pytest.mark.parametrize("url", ["/en/work-number/", "/en/work-number/confirm/"])
def test_the_work_number_pages_need_a_login(url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


class Company:
    def __init__(self) -> None:
        self.company = factories.company(name="SIA Alfa")
        account = factories.business_account(company=self.company)
        self.mine = factories.connection(account=account, msisdn=NUMBER)
        self.colleagues = factories.connection(account=account)
        self.anna = people.person("15038512346", "ANNA", "BĒRZIŅA")
        self.peteris = people.person("22079018761", "PĒTERIS", "OZOLS")
        self.ilze = people.person("32579104511", "ILZE", "KALNIŅA")
        people.mandate(self.company, self.anna)
        self.binding = people.binding(self.mine, self.peteris)
        people.binding(self.colleagues, self.ilze)
        self.company_url = f"/en/acting/company-{self.company.pk}/connections/{self.mine.pk}/"
        self.work_url = f"/en/acting/work-{self.company.pk}/connections/{self.mine.pk}/"


@pytest.fixture
def alfa() -> Company:
    return Company()


def test_a_main_user_sees_who_uses_a_connection_and_since_when(alfa: Company) -> None:
    html = logged_in(alfa.anna).get(alfa.company_url).content.decode()
    assert 'data-testid="bound-person">Pēteris Ozols<' in html
    assert "End binding" in html


def test_a_binding_ended_by_the_main_user_cuts_the_employees_access_at_once(alfa: Company) -> None:
    peteris = logged_in(alfa.peteris)
    assert peteris.get(alfa.work_url).status_code == 200
    response = logged_in(alfa.anna).post(alfa.company_url + "binding/end/")
    assert response["Location"] == alfa.company_url
    alfa.binding.refresh_from_db()
    assert alfa.binding.status == BindingStatus.ENDED
    assert alfa.binding.ended_reason == "ended by the company's main user"
    assert peteris.get(alfa.work_url).status_code == 404
    assert peteris.get(f"/en/acting/work-{alfa.company.pk}/connections/").status_code == 404


def test_an_employee_can_end_their_own_binding(alfa: Company) -> None:
    response = logged_in(alfa.peteris).post(alfa.work_url + "binding/end/")
    assert response["Location"] == "/en/dashboard/"
    alfa.binding.refresh_from_db()
    assert alfa.binding.status == BindingStatus.ENDED


def test_an_employee_cannot_reach_or_end_a_colleagues_binding(alfa: Company) -> None:
    ilze = logged_in(alfa.ilze)
    assert ilze.get(alfa.work_url).status_code == 404
    assert ilze.post(alfa.work_url + "binding/end/").status_code == 404
    assert ilze.post(alfa.company_url + "binding/end/").status_code == 404
    assert ConnectionBinding.objects.filter(status=BindingStatus.ACTIVE).count() == 2


def test_a_main_user_of_another_company_cannot_end_a_binding(alfa: Company) -> None:
    bruno = people.person("16117519997", "BRUNO")
    other = factories.company(name="SIA Beta")
    people.mandate(other, bruno)
    url = f"/en/acting/company-{other.pk}/connections/{alfa.mine.pk}/binding/end/"
    assert logged_in(bruno).post(url).status_code == 404
    assert Client().post(alfa.company_url + "binding/end/").status_code == 302  # to the login
    assert ConnectionBinding.objects.filter(status=BindingStatus.ACTIVE).count() == 2


def test_ending_a_binding_is_a_post_only(alfa: Company) -> None:
    assert logged_in(alfa.anna).get(alfa.company_url + "binding/end/").status_code == 405


def test_the_demo_phone_shows_a_numbers_messages_newest_first() -> None:
    SmsMessage.objects.create(to=NUMBER, text="first", backend="outbox")
    SmsMessage.objects.create(to=NUMBER, text="second", backend="outbox")
    SmsMessage.objects.create(to="+37126000001", text="other", backend="outbox")
    client = SimulatorsClient()
    listing = client.get("/simulators/sms/").content.decode()
    assert f'href="/simulators/sms/{NUMBER}/"' in listing
    html = client.get(f"/simulators/sms/{NUMBER}/").content.decode()
    assert html.index("second") < html.index("first")
    assert "other" not in html


def test_the_demo_phone_is_not_there_outside_demo_mode(settings: Any) -> None:
    settings.SELFCARE_DEMO = False
    assert SimulatorsClient().get("/simulators/sms/").status_code == 404
    assert SimulatorsClient().get(f"/simulators/sms/{NUMBER}/").status_code == 404


def test_the_demo_has_an_unbound_active_company_number_to_bind() -> None:
    load_demo()
    connection = Connection.objects.select_related("account__company").get(msisdn=NUMBER)
    assert connection.status == ConnectionStatus.ACTIVE
    assert connection.account.company is not None
    assert connection.account.company.name == "SIA Ziemeļu Loģistika"
    assert not ConnectionBinding.objects.filter(connection=connection).exists()


def test_the_demo_suggests_only_a_work_number_that_is_in_its_data_and_still_free() -> None:
    load_demo()
    liga = people.person("32579104511", "LĪGA", "LIEPA")
    html = logged_in(liga).get("/en/work-number/").content.decode()
    hint = re.search(r'data-testid="demo-number">(.*?)</span>', html)
    assert hint is not None
    assert "+371 25 100 001" in hint.group(1)
    number = Connection.objects.get(msisdn=NUMBER)  # a real demo connection, of a company, that a code may go to
    assert number.account.company is not None
    people.binding(number, people.person("22079018761"))
    assert 'data-testid="demo-number"' not in logged_in(liga).get("/en/work-number/").content.decode()


def test_outside_the_demo_no_number_is_suggested(settings: Any, company_number: Connection) -> None:
    settings.SELFCARE_DEMO = False
    html = logged_in(people.person("32579104511")).get("/en/work-number/").content.decode()
    assert 'data-testid="demo-number"' not in html
    assert "+371 and 8 digits" in html


def test_after_a_binding_the_company_list_shows_who_uses_the_number() -> None:
    company = factories.company(name="SIA Alfa")
    account = factories.business_account(company=company)
    number = factories.connection(account=account, msisdn=NUMBER, user_label="")
    other = factories.connection(account=account, msisdn="+37125100002", user_label="Noliktava")
    boss = people.person("15038512346", "ANNA", "BĒRZIŅA")
    people.mandate(company, boss)
    people.binding(number, people.person("22079018761", "PĒTERIS", "OZOLS"))
    html = logged_in(boss).get(f"/en/acting/company-{company.pk}/connections/").content.decode()
    users = re.findall(r'data-testid="row-user">(.*?)</td>', html)
    assert users == ["Pēteris Ozols", "Noliktava"]
    assert other.pk != number.pk
