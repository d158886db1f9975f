"""An app's code exchange answered in one statement (selfcare/channels/oidc/exchange.py, PostgreSQL): it writes and
returns what the library's path does, hands everything it does not accept to that path, and of two exchanges of
one code only one gets tokens. The protocol's checks themselves run through it in test_oidc_conformance.py."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from oauth2_provider.models import AccessToken, Grant, IDToken, RefreshToken

from selfcare.access.tests import factories as people
from selfcare.audit.models import AuditEvent
from selfcare.channels.models import ClientLogin
from selfcare.channels.oidc import exchange, statements
from selfcare.channels.tests import oidc, token_paths

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="one statement of data-modifying CTEs: PostgreSQL"),
]


def _rows(answer: dict[str, Any]) -> dict[str, Any]:
    """What an exchange wrote, as plain values that do not depend on which request wrote them."""
    access = AccessToken.objects.select_related("id_token").get(
        token_checksum=statements.sha256(answer["access_token"])
    )
    new = RefreshToken.objects.get(token_checksum=statements.sha256(answer["refresh_token"]))
    login = ClientLogin.objects.get(token_family=new.token_family)
    event = AuditEvent.objects.get(object_id=str(login.pk), action="oidc:token:issue")
    assert access.id_token is not None
    return {
        "access": (access.user_id, access.application_id, access.scope, access.resource, access.token),
        "access source": access.source_refresh_token_id,
        "access lifetime": round((access.expires - access.created).total_seconds()),
        "refresh": (
            new.user_id,
            new.application_id,
            new.resource,
            new.token,
            new.revoked,
            new.access_token_id == access.pk,
        ),
        "login": (login.identity_id, login.method, login.level, login.revoked_at),
        "event": (
            event.identity_id,
            event.context,
            event.company_id,
            event.staff_role,
            event.subject_id,
            event.object_type,
            event.ip_address,
            event.user_agent,
        ),
        "id token": (access.id_token.user_id, access.id_token.application_id, access.id_token.scope),
        "id token lifetime": round((access.id_token.expires - access.id_token.created).total_seconds()),
        "id token jti": str(access.id_token.jti),
    }


@pytest.mark.django_db
def test_a_code_exchange_in_one_statement_writes_and_returns_what_the_librarys_path_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    oidc.app()
    browser = Client()
    oidc.eid_session(browser, people.person("15038512346", "ANNA", "BĒRZIŅA"))
    ours_pkce, theirs_pkce = oidc.Pkce.new(), oidc.Pkce.new()
    ours_code = oidc.code_from(browser, ours_pkce, nonce="n-ours")
    theirs_code = oidc.code_from(browser, theirs_pkce, nonce="n-theirs")

    with CaptureQueriesContext(connection) as captured:
        ours = oidc.exchange(Client(), ours_code, ours_pkce)
    assert [q["sql"][:11] for q in captured.captured_queries] == ["WITH src AS"]  # the one statement
    with monkeypatch.context() as patched:
        patched.setattr(exchange, "answer", lambda request, form: None)
        theirs = oidc.exchange(Client(), theirs_code, theirs_pkce)

    ours_claims, theirs_claims = token_paths.assert_answered_alike(
        ours, theirs, varying={"iat", "exp", "jti", "at_hash", "nonce"}
    )
    assert ours_claims["nonce"] == "n-ours"
    assert theirs_claims["nonce"] == "n-theirs"
    ours_body, theirs_body = json.loads(ours.content), json.loads(theirs.content)

    ours_rows, theirs_rows = _rows(ours_body), _rows(theirs_body)
    assert ours_rows.pop("id token jti") == ours_claims["jti"]
    assert theirs_rows.pop("id token jti") == theirs_claims["jti"]
    assert ours_rows == theirs_rows
    assert not Grant.objects.exists()  # both codes spent
    # The tokens work: a refresh, and the code cannot be exchanged again.
    assert oidc.refresh(Client(), ours_body["refresh_token"]).status_code == 200
    assert oidc.exchange(Client(), ours_code, ours_pkce).status_code == 400


@pytest.mark.django_db
def test_a_wrong_verifier_gets_the_librarys_refusal_and_leaves_the_code_unspent() -> None:
    oidc.app()
    browser = Client()
    oidc.eid_session(browser, people.person("15038512346", "ANNA", "BĒRZIŅA"))
    pkce = oidc.Pkce.new()
    code = oidc.code_from(browser, pkce)

    answer = oidc.exchange(Client(), code, oidc.Pkce.new())
    assert answer.status_code == 400
    assert json.loads(answer.content)["error"] == "invalid_grant"
    assert not AccessToken.objects.exists()
    assert Grant.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_of_two_exchanges_of_one_code_only_one_gets_tokens() -> None:
    oidc.app()
    browser = Client()
    oidc.eid_session(browser, people.person("15038512346", "ANNA", "BĒRZIŅA"))
    pkce = oidc.Pkce.new()
    code = oidc.code_from(browser, pkce)
    # The other exchange has taken the grant and not committed yet: it holds the row.
    answer = token_paths.answer_after_losing(
        lambda: oidc.exchange(Client(), code, pkce),
        other_writes="DELETE FROM oauth2_provider_grant WHERE code = %s",
        params=[code],
        waits_in="WITH src AS",
    )
    assert answer.status_code == 400, answer.content
    assert json.loads(answer.content)["error"] == "invalid_grant"
    assert not AccessToken.objects.exists()
    assert not IDToken.objects.exists()
    assert not AuditEvent.objects.filter(action="oidc:token:issue").exists()
