import io
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import override_settings

from selfcare.access.contexts import ContextKind, contexts_of
from selfcare.access.staff import roles_of
from selfcare.access.tests import factories as people
from selfcare.customers.models import Company, Connection, CustomerAccount, Segment, TariffPlan
from selfcare.demo import dataset
from selfcare.demo.loader import generated_msisdn, load_demo
from selfcare.identity.models import DigitalIdentity
from selfcare.mandates.models import Representative

pytestmark = pytest.mark.django_db


def _snapshot() -> dict[str, list[tuple[Any, ...]]]:
    return {
        model.__name__: sorted(model.objects.values_list(), key=repr)
        for model in (TariffPlan, Company, CustomerAccount, Connection, User, Representative)
    }


def test_the_demo_world_shows_the_notice_picture() -> None:
    load_demo()
    anna = dataset.PERSONS[0]
    private = CustomerAccount.objects.held_by(country="LV", personal_code=anna.personal_code.replace("-", ""))
    assert Connection.objects.filter(account__in=private).count() == 2
    assert Company.objects.count() == 4
    assert set(anna.main_user_of) == set(Company.objects.values_list("registration_number", flat=True))
    assert Connection.objects.get(msisdn="+37125500001").user_label == "Pēteris Ozols"
    assert Connection.objects.filter(account__kind=Segment.BUSINESS).count() == 1 + sum(
        c.connections for c in dataset.COMPANIES
    )


def test_loading_the_demo_data_twice_changes_nothing_the_second_time() -> None:
    first = load_demo()
    before = _snapshot()
    second = load_demo()
    assert first.changed_anything
    assert not second.changed_anything
    assert _snapshot() == before


def test_scale_generates_that_many_connections_per_company_and_is_idempotent_too() -> None:
    load_demo(scale=1500)
    for company in dataset.COMPANIES:
        generated = Connection.objects.filter(msisdn__startswith=f"+371{company.msisdn_block}")
        named = sum(1 for c in company.named if c.msisdn.startswith(f"+371{company.msisdn_block}"))
        assert generated.count() == 1500 + named
    before = _snapshot()
    assert not load_demo(scale=1500).changed_anything
    assert _snapshot() == before


def test_generated_numbers_are_valid_latvian_mobile_numbers_in_the_companys_block() -> None:
    assert generated_msisdn(27, 0) == "+37127100000"
    assert generated_msisdn(27, 899_999) == "+37127999999"


def test_the_demo_staff_persons_hold_their_roles_and_open_the_back_office_without_any_password(client: Any) -> None:
    load_demo()
    staff = [p for p in dataset.PERSONS if p.staff_roles]
    assert len(staff) >= 2
    for person in staff:
        identity = DigitalIdentity.objects.get(identifiers__code=person.personal_code.replace("-", ""))
        assert {str(r) for r in roles_of(identity)} == set(person.staff_roles)
        assert not identity.user.has_usable_password()
    assert not client.login(username="backoffice", password="demo-backoffice")
    ilze = DigitalIdentity.objects.get(identifiers__code="32112233445")
    client.force_login(ilze.user)
    html = client.get("/backoffice/customers/company/").content.decode()
    for company in dataset.COMPANIES:
        assert company.name in html


def test_the_command_prints_who_to_log_in_as() -> None:
    out = io.StringIO()
    call_command("demo_data", stdout=out)
    text = out.getvalue()
    for person in dataset.PERSONS:
        assert person.personal_code in text
    assert "nothing changed" not in text
    out = io.StringIO()
    call_command("demo_data", stdout=out)
    assert "nothing changed" in out.getvalue()


@override_settings(SELFCARE_DEMO=False)
def test_the_command_refuses_to_load_demo_data_outside_a_demo() -> None:
    with pytest.raises(CommandError, match="SELFCARE_DEMO"):
        call_command("demo_data")
    assert not Company.objects.exists()


def test_the_demo_board_member_represents_his_company_alone() -> None:
    load_demo()
    janis = next(p for p in dataset.PERSONS if p.represents)
    identity = people.person(janis.personal_code.replace("-", ""), janis.given_name.upper(), janis.family_name.upper())
    [context] = contexts_of(identity)
    assert context.kind == ContextKind.REPRESENTATIVE
    assert context.registration_number == janis.represents[0]
