import logging
import time
import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.test import Client, RequestFactory

from selfcare.errors import ErrorCode
from selfcare.identity.methods.base import Cancelled, Refused, Unavailable, VerifiedIdentity
from selfcare.identity.models import AuthenticationRecord, AuthResult, DigitalIdentity, NationalIdentifier
from selfcare.identity.services import (
    SESSION_LAST_SEEN,
    SESSION_LOGIN_AT,
    change_personal_code,
    claimed_code_digest,
    identity_for,
    login_verified,
    record_failure,
)

pytestmark = pytest.mark.django_db


def verified(
    code: str = "16117519997", given: str = "JĀNIS", family: str = "BĒRZIŅŠ", method: str = "smartid"
) -> VerifiedIdentity:
    return VerifiedIdentity(
        method=method,
        country="LV",
        personal_code=code,
        given_name=given,
        family_name=family,
        level="QUALIFIED",
        evidence={"certificate_sha256": "ab" * 32},
    )


def _request(ip: str = "192.0.2.10") -> HttpRequest:
    request = RequestFactory().get("/", REMOTE_ADDR=ip, HTTP_USER_AGENT="Firefox")
    request.session = SessionStore()
    request.session.create()
    request.user = AnonymousUser()
    return request


def test_the_first_trusted_login_creates_an_opaque_identity_and_later_logins_find_the_same_one() -> None:
    first = identity_for(verified())
    again = identity_for(verified(method="eparaksts-mobile"))
    assert first.pk == again.pk
    assert isinstance(first.pk, uuid.UUID)
    assert "16117519997" not in str(first.pk)
    assert DigitalIdentity.objects.count() == 1


def test_a_new_person_gets_a_new_identity() -> None:
    assert identity_for(verified()).pk != identity_for(verified(code="15038512346", given="ANNA")).pk


def test_a_first_login_that_loses_the_race_to_create_the_identity_takes_the_winners_within_its_own_transaction(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.db.models import QuerySet

    # The other first login of the same person committed its identity after our lookup found none.
    winner = identity_for(verified(given="OTHER", family="LOGIN"))
    lookup = QuerySet.first
    missed: list[bool] = []

    def first_lookup_misses(queryset: QuerySet[NationalIdentifier]) -> NationalIdentifier | None:
        if queryset.model is NationalIdentifier and not missed:
            missed.append(True)
            return None
        return lookup(queryset)

    monkeypatch.setattr(QuerySet, "first", first_lookup_misses)
    with transaction.atomic():  # as in a login: the login's transaction must stay usable after the lost race
        identity = identity_for(verified())
        AuthenticationRecord.objects.create(identity=identity, method="smartid", result=AuthResult.SUCCESS)
    assert missed
    assert identity.pk == winner.pk
    assert (identity.given_name, identity.family_name) == ("JĀNIS", "BĒRZIŅŠ")  # the names of our evidence
    assert DigitalIdentity.objects.get().pk == winner.pk  # our own half-made identity was rolled back
    assert get_user_model().objects.count() == 1
    assert AuthenticationRecord.objects.get().identity == winner


def test_a_returning_persons_identity_is_found_and_renamed_without_a_savepoint_inside_the_login() -> None:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    identity_for(verified())
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        again = identity_for(verified(given="JĀNIS PĒTERIS"))
    statements = [q["sql"].split()[0] for q in captured.captured_queries]
    assert statements == ["SELECT", "UPDATE"]
    assert DigitalIdentity.objects.get(pk=again.pk).given_name == "JĀNIS PĒTERIS"


def test_names_are_refreshed_from_the_latest_verified_evidence() -> None:
    identity_for(verified(family="BĒRZIŅŠ"))
    identity = identity_for(verified(family="KALNIŅŠ"))
    identity.refresh_from_db()
    assert identity.family_name == "KALNIŅŠ"


def test_after_a_personal_code_change_both_codes_resolve_to_the_same_identity() -> None:
    identity = identity_for(verified(code="16117519997"))
    change_personal_code(identity=identity, new_code="32579104511")
    assert identity_for(verified(code="32579104511")).pk == identity.pk
    assert identity_for(verified(code="16117519997")).pk == identity.pk
    assert NationalIdentifier.objects.get(code="16117519997").superseded_at is not None


@pytest.mark.parametrize(("first_code", "new_code"), [("16117519997", "15038512346"), ("32579104511", "32111111111")])
def test_a_personal_code_change_must_go_from_an_old_code_to_a_new_one(first_code: str, new_code: str) -> None:
    identity = identity_for(verified(code=first_code))
    with pytest.raises(ValidationError) as error:
        change_personal_code(identity=identity, new_code=new_code)
    assert error.value.code == ErrorCode.CODE_CHANGE_NOT_NEW_FORMAT


def test_a_personal_code_is_changed_only_once_and_never_to_someone_elses_code() -> None:
    identity = identity_for(verified(code="16117519997"))
    other = identity_for(verified(code="32999999999", given="OTHER"))
    with pytest.raises(ValidationError) as error:
        change_personal_code(identity=identity, new_code="32999999999")
    assert error.value.code == ErrorCode.CODE_CHANGE_TAKEN
    change_personal_code(identity=identity, new_code="32579104511")
    with pytest.raises(ValidationError) as error:
        change_personal_code(identity=identity, new_code="32888888888")
    assert error.value.code == ErrorCode.CODE_CHANGE_ALREADY_DONE
    assert other.identifiers.count() == 1


def test_login_rotates_the_session_identifier_and_records_the_authentication() -> None:
    request = _request()
    before = request.session.session_key
    assert before is not None
    identity = login_verified(request, verified())
    assert request.session.session_key != before
    assert not SessionStore().exists(before)
    record = AuthenticationRecord.objects.get()
    assert (record.identity, record.method, record.level, record.result) == (
        identity,
        "smartid",
        "QUALIFIED",
        AuthResult.SUCCESS,
    )
    assert (record.ip_address, record.user_agent, record.certificate_fingerprint) == (
        "192.0.2.10",
        "Firefox",
        "ab" * 32,
    )


def test_a_failed_attempt_is_recorded_with_a_keyed_hash_of_the_typed_code_not_the_code() -> None:
    record = record_failure(_request(), "smartid", Refused("level_not_qualified"), claimed_code="16117519997")
    assert record.result == AuthResult.REFUSED
    assert record.reason == "level_not_qualified"
    assert record.identity is None
    assert record.claimed_code_digest == claimed_code_digest("16117519997")
    assert "16117519997" not in str(AuthenticationRecord.objects.values_list().get())
    assert record_failure(_request(), "smartid", Cancelled()).result == AuthResult.CANCELLED


def test_a_provider_failure_is_logged_for_the_operator_without_the_typed_code(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="selfcare.identity.services")
    try:
        raise Unavailable(reason="provider_unreachable") from ConnectionResetError("https://x/etsi/PNOLV-16117519997")
    except Unavailable as error:
        record_failure(_request(), "smartid", error, claimed_code="16117519997")
    record_failure(_request(), "smartid", Cancelled(), claimed_code="16117519997")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "eID login failed: method=smartid result=unavailable reason=provider_unreachable cause=ConnectionResetError"
    ]
    infos = [r.getMessage() for r in caplog.records if r.name == "selfcare.identity.services" and r.levelno < 30]
    assert infos == ["eID login failed: method=smartid result=cancelled reason=eid_cancelled cause=-"]
    assert "16117519997" not in caplog.text


def test_a_suspended_identity_cannot_log_in() -> None:
    identity = identity_for(verified())
    identity.status = "suspended"
    identity.save()
    request = _request()
    with pytest.raises(Refused):
        login_verified(request, verified())
    assert not request.user.is_authenticated


def _logged_in_client(client: Client) -> Client:
    request = _request()
    identity = login_verified(request, verified())
    client.force_login(identity.user)
    session = client.session
    session[SESSION_LOGIN_AT] = time.time()
    session[SESSION_LAST_SEEN] = time.time()
    session.save()
    return client


def test_a_session_idle_for_more_than_the_idle_timeout_ends(client: Client) -> None:
    _logged_in_client(client)
    assert client.get("/en/me/").status_code == 200
    session = client.session
    session[SESSION_LAST_SEEN] = time.time() - 31 * 60
    session.save()
    response = client.get("/en/me/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_a_session_older_than_the_absolute_timeout_ends_even_when_active(client: Client) -> None:
    _logged_in_client(client)
    session = client.session
    session[SESSION_LOGIN_AT] = time.time() - 12 * 3600 - 1
    session.save()
    assert client.get("/en/me/").status_code == 302


def test_logout_ends_the_session_on_the_server(client: Client) -> None:
    _logged_in_client(client)
    key = client.session.session_key
    assert key is not None
    client.post("/en/logout/")
    assert not SessionStore().exists(key)
    assert client.get("/en/me/").status_code == 302


def test_the_old_password_login_address_explains_the_change_and_has_no_password_field(client: Client) -> None:
    response = client.get("/en/login/password/")
    assert response.status_code == 410
    html = response.content.decode()
    assert "no longer possible" in html
    assert 'type="password"' not in html
    assert 'type="password"' not in client.get("/en/login/").content.decode()
