"""Where a new-device notice (and the other SMS notices) goes: `notification_number`, read by compiled statements,
answers what the ORM reads it was written with answer, case by case."""

from __future__ import annotations

import datetime

import pytest

from selfcare.access.contexts import person_codes, private_accounts
from selfcare.access.tests import factories as people
from selfcare.binding.models import BindingStatus, ConnectionBinding
from selfcare.customers.models import Connection, ConnectionStatus
from selfcare.customers.tests import factories
from selfcare.identity.models import DigitalIdentity, NationalIdentifier
from selfcare.security.devices import notification_number

pytestmark = pytest.mark.django_db


def _as_the_orm_read_it(identity: DigitalIdentity) -> str | None:
    """The reads `notification_number` made before its statements were compiled once."""
    bound = (
        ConnectionBinding.objects.filter(identity=identity, status=BindingStatus.ACTIVE)
        .exclude(connection__status=ConnectionStatus.TERMINATED)
        .order_by("pk")
        .values_list("connection__msisdn", flat=True)
        .first()
    )
    if bound:
        return str(bound)
    private = (
        Connection.objects.filter(account_id__in=private_accounts(person_codes(identity)))
        .exclude(status=ConnectionStatus.TERMINATED)
        .order_by("msisdn")
        .values_list("msisdn", flat=True)
        .first()
    )
    return str(private) if private else None


def _check(identity: DigitalIdentity, expected: str | None) -> None:
    assert (notification_number(identity), _as_the_orm_read_it(identity)) == (expected, expected)


def test_the_first_active_binding_of_a_connection_not_terminated_wins_over_private_numbers() -> None:
    person = people.person("22079018761")
    factories.connection(account=factories.private_account(personal_code="220790-18761"), msisdn="+37120000001")
    ended = factories.connection(msisdn="+37120000002")
    terminated = factories.connection(
        msisdn="+37120000003", status=ConnectionStatus.TERMINATED, terminated_on=datetime.date(2024, 6, 1)
    )
    first, second = factories.connection(msisdn="+37129999999"), factories.connection(msisdn="+37120000004")
    people.binding(ended, person).delete()
    ConnectionBinding.objects.create(connection=ended, identity=person, status=BindingStatus.ENDED)
    people.binding(terminated, person)
    _check(person, "+37120000001")  # no active binding of a live connection yet: private
    people.binding(first, person)
    people.binding(second, person)
    _check(person, "+37129999999")  # the first bound (by the binding's order), not the smallest number


def test_a_private_number_is_the_smallest_not_terminated_of_any_code_old_or_new_never_a_company_one() -> None:
    person = people.person("15038512346")
    _check(person, None)
    factories.connection(msisdn="+37120000001")  # a company's number
    _check(person, None)
    old_code = factories.private_account(personal_code="16117519997")
    factories.connection(account=old_code, msisdn="+37120000009")
    _check(person, None)  # a code the person does not hold
    NationalIdentifier.objects.create(identity=person, country="LV", code="16117519997")
    _check(person, "+37120000009")
    current = factories.private_account(personal_code="150385-12346")
    factories.connection(
        account=current,
        msisdn="+37120000005",
        status=ConnectionStatus.TERMINATED,
        terminated_on=datetime.date(2024, 6, 1),
    )
    factories.connection(account=current, msisdn="+37120000007")
    _check(person, "+37120000007")
    other = people.person("32579104511")
    _check(other, None)
