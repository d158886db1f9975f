"""An app's plain refresh answered in one statement (selfcare/channels/oidc/refresh.py, PostgreSQL): it writes and
returns what the library's path does, hands everything it does not accept to that path, and settles a race with a
concurrent rotation as a replay. The protocol's checks themselves run through it in test_oidc_conformance.py."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oauth2_provider.models import AccessToken, IDToken, RefreshToken

from selfcare.access.tests import factories as people
from selfcare.channels.models import ClientLogin
from selfcare.channels.oidc import refresh, statements
from selfcare.channels.tests import oidc, token_paths

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="one statement of data-modifying CTEs: PostgreSQL"),
]


def _family(browser: Client) -> dict[str, Any]:
    pkce = oidc.Pkce.new()
    answer = oidc.exchange(Client(), oidc.code_from(browser, pkce), pkce)
    assert answer.status_code == 200, answer.content
    return dict(json.loads(answer.content))


def _rows(answer: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    """What a refresh wrote, as plain values that do not depend on which request wrote them."""
    access = AccessToken.objects.select_related("id_token", "source_refresh_token").get(
        token_checksum=statements.sha256(answer["access_token"])
    )
    new = RefreshToken.objects.get(token_checksum=statements.sha256(answer["refresh_token"]))
    spent = access.source_refresh_token
    assert access.id_token is not None
    assert spent is not None
    return {
        "access": (access.user_id, access.application_id, access.scope, access.resource, access.token),
        "access lifetime": round((access.expires - access.created).total_seconds()),
        "refresh": (
            new.user_id,
            new.application_id,
            new.resource,
            new.token,
            new.revoked,
            new.access_token_id == access.pk,
        ),
        "same family": new.token_family == spent.token_family,
        "spent": (spent.revoked is not None, spent.access_token_id),
        "spent's access token kept": AccessToken.objects.filter(
            token_checksum=statements.sha256(before["access_token"])
        ).exists(),
        "id token": (access.id_token.user_id, access.id_token.application_id, access.id_token.scope),
        "id token lifetime": round((access.id_token.expires - access.id_token.created).total_seconds()),
        "id token jti": str(access.id_token.jti),
    }


@pytest.mark.django_db
def test_a_refresh_in_one_statement_writes_and_returns_what_the_librarys_path_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    oidc.app()
    browser = Client()
    oidc.eid_session(browser, people.person("15038512346", "ANNA", "BĒRZIŅA"))
    ours_before, theirs_before = _family(browser), _family(browser)

    with CaptureQueriesContext(connection) as captured:
        ours = oidc.refresh(Client(), ours_before["refresh_token"])
    assert [q["sql"][:11] for q in captured.captured_queries] == ["WITH src AS"]  # the one statement
    with monkeypatch.context() as patched:
        patched.setattr(refresh, "answer", lambda request, form: None)
        theirs = oidc.refresh(Client(), theirs_before["refresh_token"])

    ours_claims, theirs_claims = token_paths.assert_answered_alike(
        ours, theirs, varying={"iat", "exp", "jti", "at_hash"}
    )
    ours_body, theirs_body = json.loads(ours.content), json.loads(theirs.content)

    ours_rows, theirs_rows = _rows(ours_body, ours_before), _rows(theirs_body, theirs_before)
    assert ours_rows.pop("id token jti") == ours_claims["jti"]
    assert theirs_rows.pop("id token jti") == theirs_claims["jti"]
    assert ours_rows == theirs_rows
    assert ours_rows["spent"] == (True, None)
    assert not ours_rows["spent's access token kept"]
    assert ours_rows["refresh"][3] == ""  # tokens kept only as SHA-256
    # The new pair works, by either path.
    assert oidc.refresh(Client(), ours_body["refresh_token"]).status_code == 200


@pytest.mark.django_db
def test_the_statement_is_prepared_on_its_connection_and_then_neither_parsed_nor_planned_again() -> None:
    # Django opens connections that prepare nothing; without the settings' prepare_threshold PostgreSQL would parse
    # and plan the statement on every request (half the database's CPU for a code exchange).
    oidc.app()
    browser = Client()
    oidc.eid_session(browser, people.person("15038512346", "ANNA", "BĒRZIŅA"))
    tokens = _family(browser)
    for _ in range(8):
        answer = oidc.refresh(Client(), tokens["refresh_token"])
        assert answer.status_code == 200, answer.content
        tokens = json.loads(answer.content)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans + custom_plans FROM pg_prepared_statements WHERE statement LIKE 'WITH src AS%'"
        )
        executions = [row[0] for row in cursor.fetchall()]
    assert len(executions) == 1  # one prepared statement, however many refreshes
    assert executions[0] >= 3  # the refreshes after the fifth ran it from its prepared form


@pytest.mark.django_db
def test_a_spent_refresh_token_presented_again_is_refused_and_ends_its_family() -> None:
    oidc.app()
    browser = Client()
    oidc.eid_session(browser, people.person("15038512346", "ANNA", "BĒRZIŅA"))
    first = _family(browser)
    second = json.loads(oidc.refresh(Client(), first["refresh_token"]).content)

    replay = oidc.refresh(Client(), first["refresh_token"])
    assert replay.status_code == 400
    assert json.loads(replay.content)["error"] == "invalid_grant"
    assert ClientLogin.objects.get().revoked_reason == "refresh token reused"
    assert oidc.refresh(Client(), second["refresh_token"]).status_code == 400  # the family is gone


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("extra", "headers"),
    [
        ({"scope": "openid"}, {}),  # narrowing the scope: the library's check
        ({}, {"HTTP_ORIGIN": "https://app.example"}),  # CORS: the library's answer
    ],
)
def test_a_refresh_the_statement_does_not_take_is_answered_by_the_librarys_path(
    extra: dict[str, str], headers: dict[str, Any]
) -> None:
    oidc.app()
    browser = Client()
    oidc.eid_session(browser, people.person("15038512346", "ANNA", "BĒRZIŅA"))
    tokens = _family(browser)
    form = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "client_id": "test-app", **extra}
    with CaptureQueriesContext(connection) as captured:
        answer = Client().post(
            reverse("oauth2_provider:token"), urlencode(form), "application/x-www-form-urlencoded", **headers
        )
    assert answer.status_code == 200, answer.content
    assert not any(q["sql"].startswith("WITH src AS") for q in captured.captured_queries)
    assert json.loads(answer.content)["scope"] == extra.get("scope", tokens["scope"])


@pytest.mark.django_db(transaction=True)
def test_a_refresh_that_loses_a_race_with_a_concurrent_rotation_counts_as_a_replay() -> None:
    oidc.app()
    browser = Client()
    oidc.eid_session(browser, people.person("15038512346", "ANNA", "BĒRZIŅA"))
    tokens = _family(browser)
    checksum = statements.sha256(tokens["refresh_token"])
    # The other request has rotated the token and not committed yet: it holds the row.
    answer = token_paths.answer_after_losing(
        lambda: oidc.refresh(Client(), tokens["refresh_token"]),
        other_writes="UPDATE oauth2_provider_refreshtoken SET revoked = now() WHERE token_checksum = %s",
        params=[checksum],
        waits_in="WITH src AS",
    )
    assert answer.status_code == 400, answer.content
    assert json.loads(answer.content)["error"] == "invalid_grant"
    assert RefreshToken.objects.count() == 1  # nothing of the losing request was written
    assert IDToken.objects.count() == 1
    assert ClientLogin.objects.get().revoked_reason == "refresh token reused"


def _statements_of_refresh(refresh_token: str) -> tuple[Any, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        answer = oidc.refresh(Client(), refresh_token)
    return answer, [q["sql"] for q in captured.captured_queries]


@pytest.mark.django_db
def test_a_token_table_with_a_column_the_statement_does_not_write_turns_it_off(monkeypatch: pytest.MonkeyPatch) -> None:
    oidc.app()
    browser = Client()
    oidc.eid_session(browser, people.person("15038512346", "ANNA", "BĒRZIŅA"))
    tokens = _family(browser)
    # As if a library upgrade had added a column to the access tokens: the statement would leave it empty.
    monkeypatch.setattr(statements, "ACCESS_TOKEN_COLUMNS", statements.ACCESS_TOKEN_COLUMNS - {"scope"})
    monkeypatch.setattr(statements, "_built", {})

    answer, sql = _statements_of_refresh(tokens["refresh_token"])
    assert answer.status_code == 200, answer.content
    assert not any(statement.startswith("WITH src AS") for statement in sql)  # the library's path answered


@pytest.mark.django_db
def test_a_listener_of_app_authorized_gets_its_signal_from_the_librarys_path() -> None:
    from oauth2_provider.signals import app_authorized

    oidc.app()
    browser = Client()
    oidc.eid_session(browser, people.person("15038512346", "ANNA", "BĒRZIŅA"))
    tokens = _family(browser)
    heard: list[Any] = []

    def listener(sender: Any, request: Any, token: Any, **kwargs: Any) -> None:
        heard.append(token)

    app_authorized.connect(listener)
    try:
        answer, sql = _statements_of_refresh(tokens["refresh_token"])
    finally:
        app_authorized.disconnect(listener)
    assert answer.status_code == 200, answer.content
    assert not any(statement.startswith("WITH src AS") for statement in sql)
    assert [token.token_checksum for token in heard] == [statements.sha256(json.loads(answer.content)["access_token"])]
