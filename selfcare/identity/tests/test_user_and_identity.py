"""A logged-in person's user and digital identity are read in one statement per request (identity/backends.py)."""

from __future__ import annotations

import datetime
import time

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from selfcare.access.tests import factories as people
from selfcare.identity.backends import EidOnlyBackend
from selfcare.identity.models import DigitalIdentity
from selfcare.identity.selectors import identity_of
from selfcare.identity.services import SESSION_LAST_SEEN, SESSION_LOGIN_AT
from selfcare.tests.clock import at

pytestmark = pytest.mark.django_db


def _reads_of(table: str, captured: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT") and f'FROM "{table}"' in q["sql"]
    ]


def test_a_page_reads_the_user_and_their_identity_in_one_statement() -> None:
    anna = people.person("15038512346")
    client = Client()
    client.force_login(anna.user)
    session = client.session
    session[SESSION_LOGIN_AT] = session[SESSION_LAST_SEEN] = time.time()
    session.save()
    with at(timezone.now()), CaptureQueriesContext(connection) as captured:
        page = client.get("/en/me/")
    assert page.status_code == 200
    assert anna.full_name in page.content.decode()  # the header and the page: the identity read with the user
    (user_read,) = _reads_of("auth_user", captured)
    assert 'JOIN "identity_digitalidentity"' in user_read
    assert _reads_of("identity_digitalidentity", captured) == []


def test_the_identity_read_with_the_user_is_the_current_row() -> None:
    anna = people.person("15038512346")
    DigitalIdentity.objects.filter(pk=anna.pk).update(status="suspended")
    user = EidOnlyBackend().get_user(anna.user.pk)
    assert user is not None
    identity = identity_of(user)
    assert identity is not None
    assert (identity.pk, identity.status) == (anna.pk, "suspended")


def test_a_user_without_an_identity_has_none_and_an_inactive_user_is_not_restored() -> None:
    staff = User.objects.create_user(username="break-glass")
    restored = EidOnlyBackend().get_user(staff.pk)
    assert restored == staff
    assert restored is not None
    assert identity_of(restored) is None
    User.objects.filter(pk=staff.pk).update(is_active=False)
    assert EidOnlyBackend().get_user(staff.pk) is None
    assert EidOnlyBackend().get_user(10**9) is None


def test_a_user_loaded_elsewhere_still_finds_their_identity() -> None:
    anna = people.person("15038512346")
    assert identity_of(User.objects.get(pk=anna.user.pk)) == anna


def test_the_user_and_identity_made_from_the_compiled_read_are_those_django_reads_field_by_field() -> None:
    anna = people.person("15038512346")
    with CaptureQueriesContext(connection) as captured:
        user = EidOnlyBackend().get_user(str(anna.user.pk))  # as a session keeps it, or already an int
        assert user is not None
        identity = identity_of(user)
        assert identity is not None
        assert identity.user is user
    assert len(captured.captured_queries) == 1
    plain = User.objects.select_related("digital_identity").get(pk=anna.user.pk)
    for made, read in ((user, plain), (identity, plain.digital_identity)):
        fields = type(read)._meta.concrete_fields
        assert [getattr(made, f.attname) for f in fields] == [getattr(read, f.attname) for f in fields]
        assert (made._state.adding, made._state.db) == (False, read._state.db)


def test_the_identity_page_shows_the_persons_last_ten_logins_newest_first_and_only_theirs() -> None:
    from selfcare.identity.models import AuthenticationRecord
    from selfcare.identity.selectors import national_identifiers, recent_authentications

    anna, other = people.person("15038512346"), people.person("22079018761")
    start = timezone.now() - datetime.timedelta(days=30)
    for day in range(12):
        record = AuthenticationRecord.objects.create(identity=anna, method="smartid", result="success")
        AuthenticationRecord.objects.filter(pk=record.pk).update(occurred_at=start + datetime.timedelta(days=day))
    AuthenticationRecord.objects.create(identity=other, method="eparaksts", result="refused")
    shown = recent_authentications(anna)
    assert [record.occurred_at for record in shown] == [
        start + datetime.timedelta(days=day) for day in range(11, 1, -1)
    ]
    assert {record.identity_id for record in shown} == {anna.pk}
    assert shown[0].result == "success"
    assert [code.display for code in national_identifiers(anna)] == ["150385-12346"]


def test_the_identity_page_lists_the_current_personal_code_before_a_superseded_one() -> None:
    from selfcare.identity.models import NationalIdentifier
    from selfcare.identity.selectors import national_identifiers

    anna = people.person("15038512346")
    NationalIdentifier.objects.filter(identity=anna).update(superseded_at=timezone.now())
    NationalIdentifier.objects.create(identity=anna, country="LV", code="32345678901")
    assert [code.display for code in national_identifiers(anna)] == ["323456-78901", "150385-12346"]
