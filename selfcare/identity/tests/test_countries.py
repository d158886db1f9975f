"""Identities of Latvian, Estonian and Lithuanian persons: one national identifier is (country, code)."""

from __future__ import annotations

import dataclasses

import pytest
from django.core.exceptions import ValidationError

from selfcare.errors import ErrorCode
from selfcare.identifiers import COUNTRIES, PersonalCode
from selfcare.identity.models import Country, NationalIdentifier
from selfcare.identity.selectors import identity_with_code, national_identifiers
from selfcare.identity.services import change_personal_code, identity_create, identity_for, identity_for_code
from selfcare.identity.tests.test_services import verified

pytestmark = pytest.mark.django_db

ESTONIAN = PersonalCode("EE", "38001085718")


def test_an_estonian_smart_id_login_makes_an_identity_keyed_on_the_estonian_code() -> None:
    estonian = dataclasses.replace(verified("38001085718", "MARI", "TAMM"), country="EE")
    identity = identity_for(estonian)
    assert identity_with_code(ESTONIAN) == identity
    assert NationalIdentifier.objects.get(identity=identity).country == "EE"
    assert national_identifiers(identity)[0].display == "EE 38001085718"


def test_the_same_digits_in_two_countries_are_two_people() -> None:
    latvian = identity_for_code(code=PersonalCode("LV", "38001085718"), given_name="LĪGA", family_name="LIEPA")
    estonian = identity_for_code(code=ESTONIAN, given_name="MARI", family_name="TAMM")
    assert latvian != estonian
    assert identity_with_code(PersonalCode("LV", "38001085718")) == latvian


def test_finding_or_creating_by_code_finds_the_same_identity_and_refreshes_the_names() -> None:
    first = identity_for_code(code=ESTONIAN, given_name="MARI", family_name="TAMM")
    again = identity_for_code(code=ESTONIAN, given_name="MARI", family_name="KASK")
    assert again == first
    assert again.family_name == "KASK"
    assert identity_with_code(PersonalCode("LT", "33309240064")) is None


def test_an_identity_without_a_national_identifier_can_be_made_and_is_found_by_no_code() -> None:
    identity = identity_create(given_name="ERIKA", family_name="MUSTERMANN")
    assert not identity.identifiers.exists()
    assert identity.user.has_usable_password() is False


def test_a_personal_code_change_is_for_latvian_codes_only() -> None:
    identity = identity_for_code(code=ESTONIAN, given_name="MARI", family_name="TAMM")
    with pytest.raises(ValidationError) as error:
        change_personal_code(identity=identity, new_code="32579104511")
    assert error.value.code == ErrorCode.CODE_CHANGE_NOT_NEW_FORMAT.value


def test_the_identity_model_names_exactly_the_countries_whose_code_rules_exist() -> None:
    assert set(Country.values) == set(COUNTRIES)
