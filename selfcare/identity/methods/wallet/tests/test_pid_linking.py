"""Which digital identity a wallet login lands on: only a national identifier the PID states links to one."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest

from selfcare.access.contexts import ContextKind, contexts_of
from selfcare.access.tests import factories as people
from selfcare.binding.models import BindingStatus
from selfcare.binding.tests.test_services import confirm, start
from selfcare.customers.tests import factories
from selfcare.identity.methods.base import Refused, VerifiedIdentity
from selfcare.identity.methods.wallet.verifier import identity_from_pid
from selfcare.identity.services import identity_for

pytestmark = pytest.mark.django_db

ANNA = "15038512346"


def _pid(**claims: str) -> VerifiedIdentity:
    base = {"family_name": "Bērziņa", "given_name": "Anna", "birthdate": "1985-03-15", "issuing_country": "LV"}
    return identity_from_pid(base | claims, issuer="ab" * 32)


def test_a_latvian_pid_with_a_personal_code_lands_on_the_identity_of_that_code() -> None:
    anna = people.person(ANNA, "Anna", "Bērziņa")
    assert identity_for(_pid(personal_administrative_number="150385-12346")) == anna


def test_a_latvian_pid_whose_personal_code_fails_its_checksum_is_refused() -> None:
    with pytest.raises(Refused) as refused:
        _pid(personal_administrative_number="15038512345")
    assert refused.value.reason == "bad_personal_code"


def test_a_pid_without_a_national_identifier_makes_a_new_identity_never_one_found_by_name_and_birth_date() -> None:
    anna = people.person(ANNA, "Anna", "Bērziņa")
    first = identity_for(_pid())
    assert first != anna
    assert not first.identifiers.exists()
    # Names and a birth date are not unique: the next such login is a stranger to the portal again.
    assert identity_for(_pid()) not in (anna, first)


def test_another_countrys_code_is_kept_with_its_country_and_links_the_next_login() -> None:
    first = identity_for(_pid(issuing_country="EE", personal_administrative_number="38001085718"))
    assert list(first.identifiers.values_list("country", "code")) == [("EE", "38001085718")]
    assert identity_for(_pid(issuing_country="EE", personal_administrative_number="38001085718")) == first
    # The same digits issued by another country are another person.
    assert identity_for(_pid(issuing_country="LV", personal_administrative_number="")) != first


def test_a_pid_without_the_names_is_refused() -> None:
    with pytest.raises(Refused) as refused:
        identity_from_pid({"family_name": "Bērziņa", "issuing_country": "LV"}, issuer="")
    assert refused.value.reason == "missing_fields"


def test_only_the_wallet_may_bring_an_identity_without_a_personal_code() -> None:
    with pytest.raises(Refused) as refused:
        identity_for(VerifiedIdentity("smartid", "LV", "", "Anna", "Bērziņa", "qualified", {}))
    assert refused.value.reason == "no_personal_code"


def test_a_wallet_identity_without_a_national_identifier_binds_a_work_number(
    django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[list[Callable[[], Any]]]],
) -> None:
    number = factories.connection(account=factories.business_account(), msisdn="+37125100001")
    klaus = identity_for(_pid(given_name="Klaus", family_name="Müller", issuing_country="DE"))
    code = start(django_capture_on_commit_callbacks, klaus, "+37125100001")
    assert code is not None
    binding = confirm(klaus, code)
    assert (binding.connection, binding.status) == (number, BindingStatus.ACTIVE)
    assert [c.kind for c in contexts_of(klaus)] == [ContextKind.WORK]
