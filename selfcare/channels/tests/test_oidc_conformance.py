"""The provider against the OpenID Foundation's basic and config test plans (the checks that apply to a code-flow
provider with PKCE), and each django-oauth-toolkit default that SECURITY.md overrides."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import AccessToken, Grant, RefreshToken

from selfcare.access.tests import factories as people
from selfcare.channels.models import ClientLogin
from selfcare.channels.oidc.claims import ACR_HIGH, pairwise_subject
from selfcare.channels.tests import oidc
from selfcare.channels.tests.oidc import APP_REDIRECT, Pkce
from selfcare.identity.models import DigitalIdentity

pytestmark = pytest.mark.django_db


@pytest.fixture
def anna() -> DigitalIdentity:
    return people.person("15038512346", "ANNA", "BĒRZIŅA")


@pytest.fixture
def client(anna: DigitalIdentity) -> Client:
    oidc.app()
    browser = Client()
    oidc.eid_session(browser, anna)
    return browser


def _tokens(client: Client, **params: str) -> dict[str, Any]:
    pkce = Pkce.new()
    code = oidc.code_from(client, pkce, **params)
    response = oidc.exchange(client, code, pkce)
    assert response.status_code == 200, response.content
    return dict(json.loads(response.content))


# --- Discovery and keys (config plan) ---------------------------------------------------------------------------
def test_the_discovery_document_describes_a_code_flow_provider_with_pkce_s256_and_pairwise_subjects() -> None:
    document = json.loads(Client().get("/.well-known/openid-configuration").content)
    assert document["issuer"] == "http://testserver"
    for endpoint in (
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
        "end_session_endpoint",
        "revocation_endpoint",
    ):
        assert document[endpoint].startswith(document["issuer"] + "/"), endpoint
    assert document["response_types_supported"] == ["code"]
    assert document["grant_types_supported"] == ["authorization_code", "refresh_token"]
    assert document["code_challenge_methods_supported"] == ["S256"]
    assert document["subject_types_supported"] == ["pairwise"]
    # RS256 for every client; ES256 for our own apps registered for it (OIDC_ES256_CLIENTS).
    assert document["id_token_signing_alg_values_supported"] == ["RS256", "ES256"]
    assert {"openid", "profile", "connections", "binding", "usage", "offers", "mandates"} <= set(
        document["scopes_supported"]
    )
    assert {"sub", "acr", "amr", "auth_time", "nonce"} <= set(document["claims_supported"])
    assert set(document["prompt_values_supported"]) == {"none", "login"}


def test_the_jwks_publishes_the_rsa_and_p256_signing_keys_without_their_private_parts() -> None:
    keys = json.loads(Client().get("/oauth/jwks/").content)["keys"]
    assert [(k["kty"], k["alg"], k["use"]) for k in keys] == [("RSA", "RS256", "sig"), ("EC", "ES256", "sig")]
    assert keys[1]["crv"] == "P-256"
    assert all(k["kid"] for k in keys)
    assert keys[0]["kid"] != keys[1]["kid"]
    for key in keys:
        assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)


# --- The code flow (basic plan) ---------------------------------------------------------------------------------
def test_an_id_token_carries_a_pairwise_subject_the_eid_method_the_nonce_and_the_login_time(
    client: Client, anna: DigitalIdentity
) -> None:
    tokens = _tokens(client)
    claims = oidc.id_token_claims(client, tokens["id_token"])
    assert claims["sub"] == pairwise_subject(anna.pk, "test-app")
    assert claims["sub"] not in (str(anna.pk), str(anna.user.pk), "15038512346")
    assert claims["nonce"] == "nonce-1"
    assert claims["acr"] == ACR_HIGH
    assert claims["amr"] == ["smartid", "swk", "pin", "mfa"]
    assert (claims["name"], claims["given_name"], claims["family_name"]) == ("Anna Bērziņa", "Anna", "Bērziņa")
    assert abs(claims["auth_time"] - timezone.now().timestamp()) < 60
    assert "userAssets" not in claims


def test_two_clients_see_different_subjects_for_one_person(client: Client, anna: DigitalIdentity) -> None:
    oidc.app("other-app")
    first = oidc.id_token_claims(client, _tokens(client)["id_token"])
    pkce = Pkce.new()
    code = oidc.code_from(client, pkce, client_id="other-app")
    other = json.loads(oidc.exchange(client, code, pkce, client_id="other-app").content)
    second = oidc.id_token_claims(client, other["id_token"], client_id="other-app")
    assert first["sub"] != second["sub"]


def test_the_eid_method_of_the_login_becomes_acr_and_amr(anna: DigitalIdentity) -> None:
    oidc.app()
    browser = Client()
    oidc.eid_session(browser, anna, method="swedbank", level="substantial")
    claims = oidc.id_token_claims(browser, _tokens(browser)["id_token"])
    assert claims["acr"] == "http://eidas.europa.eu/LoA/substantial"
    assert claims["amr"] == ["swedbank", "mfa"]


def test_an_authorization_code_is_single_use_and_its_reuse_revokes_what_it_gave(client: Client) -> None:
    pkce = Pkce.new()
    code = oidc.code_from(client, pkce)
    first = json.loads(oidc.exchange(client, code, pkce).content)
    assert client.get("/oauth/userinfo/", HTTP_AUTHORIZATION=f"Bearer {first['access_token']}").status_code == 200

    again = oidc.exchange(client, code, pkce)
    assert again.status_code == 400
    assert json.loads(again.content)["error"] == "invalid_grant"
    assert client.get("/oauth/userinfo/", HTTP_AUTHORIZATION=f"Bearer {first['access_token']}").status_code == 401
    assert oidc.refresh(client, first["refresh_token"]).status_code == 400
    assert ClientLogin.objects.get().revoked_reason == "code reused"


def test_a_code_lives_at_most_sixty_seconds(client: Client) -> None:
    pkce = Pkce.new()
    code = oidc.code_from(client, pkce)
    grant = Grant.objects.get()
    assert grant.expires - timezone.now() <= datetime.timedelta(seconds=60)
    Grant.objects.update(expires=timezone.now() - datetime.timedelta(seconds=1))
    assert oidc.exchange(client, code, pkce).status_code == 400


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://127.0.0.1:53117/callback/",  # trailing slash
        "http://127.0.0.1:53117/callback?x=1",  # extra query
        "http://127.0.0.1:53117/Callback",  # case of the path
        "http://localhost:53117/callback",  # another loopback name
        "http://evil@127.0.0.1:53117/callback",  # userinfo
        "https://127.0.0.1:53117/callback",  # scheme
        "http://127.0.0.1:0/callback",  # not a port
        "http://127.0.0.1:99999/callback",
        "http://127.0.0.1.evil.example/callback",
    ],
)
def test_a_redirect_uri_must_match_exactly_except_for_the_loopback_port(client: Client, redirect_uri: str) -> None:
    response = client.get(oidc.authorize_url(pkce=Pkce.new(), redirect_uri=redirect_uri))
    # Never redirected to an address that is not registered: the error is shown here.
    assert response.status_code == 400
    assert "Location" not in response


def test_a_loopback_redirect_uri_may_carry_any_port_and_the_token_request_must_repeat_it(client: Client) -> None:
    pkce = Pkce.new()
    response = client.get(oidc.authorize_url(pkce=pkce, redirect_uri="http://127.0.0.1:8123/callback"))
    assert response["Location"].startswith("http://127.0.0.1:8123/callback?")
    code = oidc.query_of(response["Location"])["code"]
    assert oidc.exchange(client, code, pkce, redirect_uri=APP_REDIRECT).status_code == 400


def test_a_registered_https_redirect_uri_gets_no_port_freedom(anna: DigitalIdentity) -> None:
    oidc.app("web-app", redirect_uris="https://app.example.lv/callback")
    browser = Client()
    oidc.eid_session(browser, anna)
    url = oidc.authorize_url("web-app", Pkce.new(), redirect_uri="https://app.example.lv:8443/callback")
    assert browser.get(url).status_code == 400
    ok = browser.get(oidc.authorize_url("web-app", Pkce.new(), redirect_uri="https://app.example.lv/callback"))
    assert ok["Location"].startswith("https://app.example.lv/callback?code=")


def test_pkce_is_required(client: Client) -> None:
    response = client.get(oidc.authorize_url())
    assert oidc.query_of(response["Location"])["error"] == "invalid_request"


@pytest.mark.parametrize("method", ["plain", None])
def test_pkce_plain_is_refused_also_when_the_method_is_left_out(client: Client, method: str | None) -> None:
    pkce = Pkce.new()
    url = oidc.authorize_url(code_challenge=pkce.verifier)
    if method:
        url += f"&code_challenge_method={method}"
    response = client.get(url)
    assert oidc.query_of(response["Location"])["error"] == "invalid_request"
    assert not Grant.objects.exists()


def test_a_wrong_code_verifier_gets_no_tokens(client: Client) -> None:
    pkce = Pkce.new()
    code = oidc.code_from(client, pkce)
    assert oidc.exchange(client, code, Pkce.new()).status_code == 400


@pytest.mark.parametrize("response_type", ["token", "id_token", "id_token token", "code id_token", "code token"])
def test_implicit_and_hybrid_response_types_are_refused(client: Client, response_type: str) -> None:
    response = client.get(oidc.authorize_url(pkce=Pkce.new(), response_type=response_type))
    assert "access_token=" not in response.get("Location", "")
    assert "id_token=" not in response.get("Location", "")
    assert not Grant.objects.exists()


def test_the_password_and_client_credentials_grants_are_refused(client: Client, anna: DigitalIdentity) -> None:
    for data in (
        {"grant_type": "password", "username": anna.user.username, "password": "x"},
        {"grant_type": "client_credentials"},
    ):
        response = client.post("/oauth/token/", {**data, "client_id": "test-app"})
        assert response.status_code in (400, 401)
        assert "access_token" not in json.loads(response.content)


# --- prompt and max_age -----------------------------------------------------------------------------------------
def test_prompt_none_without_a_session_answers_login_required_at_the_client() -> None:
    oidc.app()
    response = Client().get(oidc.authorize_url(pkce=Pkce.new(), prompt="none"))
    assert response["Location"].startswith(APP_REDIRECT)
    answer = oidc.query_of(response["Location"])
    assert answer["error"] == "login_required"
    assert answer["state"] == "state-1"


def test_prompt_none_with_a_session_gives_a_code_without_any_page(client: Client) -> None:
    response = client.get(oidc.authorize_url(pkce=Pkce.new(), prompt="none"))
    assert "code" in oidc.query_of(response["Location"])


def test_without_a_session_the_portal_login_is_the_login_page_and_returns_to_the_request() -> None:
    oidc.app()
    url = oidc.authorize_url(pkce=Pkce.new())
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/oauth/authorize/")


def test_a_back_office_password_session_is_not_an_eid_login(anna: DigitalIdentity) -> None:
    from django.contrib.auth import get_user_model

    oidc.app()
    staff = get_user_model().objects.create_user("staff", password="x", is_staff=True)
    browser = Client()
    browser.force_login(staff)
    response = browser.get(oidc.authorize_url(pkce=Pkce.new()))
    assert response["Location"].startswith("/login/?next=")
    assert not Grant.objects.exists()


def test_prompt_login_sends_a_logged_in_person_to_log_in_again_and_an_old_login_does_not_count(
    client: Client, anna: DigitalIdentity
) -> None:
    response = client.get(oidc.authorize_url(pkce=Pkce.new(), prompt="login"))
    assert response["Location"].startswith("/login/?next=")
    assert "prompt" not in response["Location"]
    # Coming back without logging in again: still owed a fresh login.
    again = client.get(oidc.authorize_url(pkce=Pkce.new()))
    assert again["Location"].startswith("/login/?next=")
    oidc.eid_session(client, anna)  # the fresh eID login
    assert "code" in oidc.query_of(client.get(oidc.authorize_url(pkce=Pkce.new()))["Location"])


def test_max_age_forces_a_new_eid_login_when_the_login_is_older(anna: DigitalIdentity) -> None:
    oidc.app()
    browser = Client()
    oidc.eid_session(browser, anna, age=600)
    young_enough = browser.get(oidc.authorize_url(pkce=Pkce.new(), max_age="3600"))
    assert "code" in oidc.query_of(young_enough["Location"])
    response = browser.get(oidc.authorize_url(pkce=Pkce.new(), max_age="300"))
    assert response["Location"].startswith("/login/?next=")
    assert "max_age" not in oidc.query_of(response["Location"])["next"]
    # Back without a new login: the old one still does not count, whatever the request says now.
    assert browser.get(oidc.authorize_url(pkce=Pkce.new()))["Location"].startswith("/login/?next=")
    oidc.eid_session(browser, anna)
    claims = oidc.id_token_claims(browser, _tokens(browser)["id_token"])
    assert timezone.now().timestamp() - claims["auth_time"] < 60


def test_max_age_with_prompt_none_answers_login_required(anna: DigitalIdentity) -> None:
    oidc.app()
    browser = Client()
    oidc.eid_session(browser, anna, age=600)
    response = browser.get(oidc.authorize_url(pkce=Pkce.new(), max_age="60", prompt="none"))
    assert oidc.query_of(response["Location"])["error"] == "login_required"


def test_auth_time_is_the_eid_login_not_the_token_request(anna: DigitalIdentity) -> None:
    oidc.app()
    browser = Client()
    oidc.eid_session(browser, anna, age=1000)
    claims = oidc.id_token_claims(browser, _tokens(browser)["id_token"])
    assert 990 < timezone.now().timestamp() - claims["auth_time"] < 1100


# --- Refresh tokens ---------------------------------------------------------------------------------------------
def test_a_refresh_token_rotates_and_the_new_id_token_keeps_the_eid_login(client: Client) -> None:
    first = _tokens(client)
    refreshed = oidc.refresh(client, first["refresh_token"])
    assert refreshed.status_code == 200, refreshed.content
    second = json.loads(refreshed.content)
    assert second["refresh_token"] != first["refresh_token"]
    before = oidc.id_token_claims(client, first["id_token"])
    after = oidc.id_token_claims(client, second["id_token"])
    assert (after["sub"], after["auth_time"], after["acr"], after["amr"]) == (
        before["sub"],
        before["auth_time"],
        before["acr"],
        before["amr"],
    )


def test_reusing_a_spent_refresh_token_revokes_the_whole_family(client: Client) -> None:
    first = _tokens(client)
    second = json.loads(oidc.refresh(client, first["refresh_token"]).content)
    assert oidc.refresh(client, first["refresh_token"]).status_code == 400  # replayed
    assert oidc.refresh(client, second["refresh_token"]).status_code == 400  # the family is gone
    assert client.get("/oauth/userinfo/", HTTP_AUTHORIZATION=f"Bearer {second['access_token']}").status_code == 401
    assert not RefreshToken.objects.filter(revoked__isnull=True).exists()


def test_a_refresh_token_expires_absolutely_after_the_eid_login(client: Client, settings: Any) -> None:
    first = _tokens(client)
    second = json.loads(oidc.refresh(client, first["refresh_token"]).content)
    settings.OIDC_REFRESH_TOKEN_ABSOLUTE_SECONDS = 60
    ClientLogin.objects.update(auth_time=timezone.now() - datetime.timedelta(seconds=61))
    assert oidc.refresh(client, second["refresh_token"]).status_code == 400


def test_refresh_tokens_also_expire_when_idle_and_tokens_are_stored_only_hashed(client: Client) -> None:
    from oauth2_provider.settings import oauth2_settings

    assert oauth2_settings.REFRESH_TOKEN_EXPIRE_SECONDS is not None
    assert oauth2_settings.ACCESS_TOKEN_EXPIRE_SECONDS <= 3600
    tokens = _tokens(client)
    assert not AccessToken.objects.filter(token=tokens["access_token"]).exists()
    assert AccessToken.objects.get().token == ""


def test_a_suspended_identity_can_no_longer_refresh(client: Client, anna: DigitalIdentity) -> None:
    tokens = _tokens(client)
    DigitalIdentity.objects.filter(pk=anna.pk).update(status="suspended")
    assert oidc.refresh(client, tokens["refresh_token"]).status_code == 400


# --- Revocation, userinfo, logout -------------------------------------------------------------------------------
def test_the_revocation_endpoint_ends_a_refresh_token_and_its_access_token(client: Client) -> None:
    tokens = _tokens(client)
    response = client.post("/oauth/revoke/", {"token": tokens["refresh_token"], "client_id": "test-app"})
    assert response.status_code == 200
    assert oidc.refresh(client, tokens["refresh_token"]).status_code == 400
    assert client.get("/oauth/userinfo/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}").status_code == 401


def test_userinfo_lists_the_connections_with_the_role_on_each_for_the_connections_scope(
    client: Client, anna: DigitalIdentity
) -> None:
    from selfcare.customers.tests import factories

    private = factories.connection(account=factories.private_account(personal_code="150385-12346"))
    company = factories.company(name="SIA Alfa")
    work = factories.connection(account=factories.business_account(company=company))
    people.mandate(company, anna)
    tokens = _tokens(client)
    info = json.loads(client.get("/oauth/userinfo/", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}").content)
    assert info["sub"] == pairwise_subject(anna.pk, "test-app")
    assert info["name"] == "Anna Bērziņa"
    roles = {(a["id"], a["role"], a["context"]) for a in info["userAssets"]}
    assert roles == {(str(private.pk), "owner", "private"), (str(work.pk), "mainUser", f"company-{company.pk}")}

    narrow = _tokens(client, scope="openid profile")
    info = json.loads(client.get("/oauth/userinfo/", HTTP_AUTHORIZATION=f"Bearer {narrow['access_token']}").content)
    assert "userAssets" not in info


def test_rp_initiated_logout_with_an_id_token_hint_ends_the_session_and_the_tokens(client: Client) -> None:
    tokens = _tokens(client)
    response = client.get(
        "/oauth/logout/",
        {
            "id_token_hint": tokens["id_token"],
            "post_logout_redirect_uri": "http://127.0.0.1/logged-out",
            "state": "bye",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "http://127.0.0.1/logged-out?state=bye"
    assert "_auth_user_id" not in client.session
    assert not AccessToken.objects.exists()


def test_rp_initiated_logout_refuses_an_unregistered_return_address(client: Client) -> None:
    tokens = _tokens(client)
    response = client.get(
        "/oauth/logout/",
        {"id_token_hint": tokens["id_token"], "post_logout_redirect_uri": "https://evil.example/"},
    )
    assert response.get("Location", "") != "https://evil.example/"
    assert "_auth_user_id" in client.session


def test_a_client_that_is_not_first_party_gets_a_consent_page_in_the_portals_language(anna: DigitalIdentity) -> None:
    oidc.app("partner-app", skip_authorization=False, name="Partner")
    browser = Client()
    oidc.eid_session(browser, anna)
    pkce = Pkce.new()
    url = oidc.authorize_url("partner-app", pkce)
    page = browser.get(url)
    assert page.status_code == 200
    assert "Partner" in page.content.decode()
    assert not Grant.objects.exists()
    form = {name: value for name, value in page.context["form"].initial.items() if value is not None}
    allowed = browser.post(url, {**form, "allow": "Allow"})
    assert "code" in oidc.query_of(allowed["Location"])


def test_an_unacceptable_request_is_explained_on_a_portal_page_not_sent_anywhere(client: Client) -> None:
    url = oidc.authorize_url(pkce=Pkce.new(), redirect_uri="https://evil.example/cb")
    response = client.get(url)
    assert response.status_code == 400
    # Outside the language prefixes the portal speaks its default language, Latvian.
    assert "Šo pieteikšanos nevar turpināt" in response.content.decode()


def test_a_consent_form_posted_from_a_session_without_an_eid_login_issues_no_code() -> None:
    from django.contrib.auth import get_user_model

    oidc.app("partner-app", skip_authorization=False)
    staff = get_user_model().objects.create_user("staff", password="x", is_staff=True)
    browser = Client()
    browser.force_login(staff)
    response = browser.post(oidc.authorize_url("partner-app", Pkce.new()), {"allow": "Allow"})
    assert response["Location"].startswith("/login/?next=")
    assert not Grant.objects.exists()


# --- The token endpoint's cost and its owned checks ---------------------------------------------------------------
def _statements(action: Any) -> list[str]:
    """The statements of one request, less the view's one transaction: inside the test's own transaction it shows
    as a savepoint and its release (in production, BEGIN and COMMIT). Any other savepoint stays in the list."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        action()
    statements = [q["sql"] for q in captured.captured_queries]
    assert statements[0].startswith("SAVEPOINT"), statements
    assert statements[-1].startswith("RELEASE SAVEPOINT"), statements
    return statements[1:-1]


def test_a_refresh_is_one_read_and_one_rotation_in_one_transaction(client: Client) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    tokens = _tokens(client)
    app = Client()  # the app's HTTP client: no portal session cookie
    answers: list[Any] = []
    with CaptureQueriesContext(connection) as captured:
        answers.append(oidc.refresh(app, tokens["refresh_token"]))
    assert answers[0].status_code == 200, answers[0].content
    statements = [q["sql"] for q in captured.captured_queries]
    if connection.vendor == "postgresql":
        # The checks, the rotation and the ID token row in one statement, its own transaction (refresh.py): no
        # BEGIN/COMMIT round trips, no savepoint.
        assert len(statements) == 1, "\n".join(statements)
        assert statements[0].startswith("WITH src AS"), statements
        return
    # Elsewhere the library's path: the refresh token with its client, access token, user, client login and
    # identity; the ID token row; the rotation (revoke the spent token, delete its access token, insert the new
    # pair), in the view's one transaction (a savepoint inside the test's) and no other savepoint.
    assert statements[0].startswith("SAVEPOINT"), statements
    assert statements[-1].startswith("RELEASE SAVEPOINT"), statements
    statements = statements[1:-1]
    assert len(statements) <= 6, "\n".join(statements)
    assert not [sql for sql in statements if "SAVEPOINT" in sql.upper()]
    assert sum("oauth2_provider_application" in sql.split(" WHERE ")[0] for sql in statements) == 1


def test_a_code_exchange_reads_its_grant_once(client: Client) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pkce = Pkce.new()
    code = oidc.code_from(client, pkce)
    app = Client()
    answers: list[Any] = []
    if connection.vendor == "postgresql":
        # The checks, the grant's delete, the login's family, the tokens and the audit event in one statement,
        # its own transaction (exchange.py).
        with CaptureQueriesContext(connection) as captured:
            answers.append(oidc.exchange(app, code, pkce))
        assert answers[0].status_code == 200, answers[0].content
        statements = [q["sql"] for q in captured.captured_queries]
        assert len(statements) == 1, "\n".join(statements)
        assert statements[0].startswith("WITH src AS"), statements
        return
    statements = _statements(lambda: answers.append(oidc.exchange(app, code, pkce)))
    assert answers[0].status_code == 200, answers[0].content
    assert sum(sql.startswith("SELECT") and "oauth2_provider_grant" in sql for sql in statements) == 1
    assert not [sql for sql in statements if "SAVEPOINT" in sql.upper()]
    # Elsewhere the library's path: the grant with its application, user and client login; the ID, access and
    # refresh tokens; the login's family; the audit event; the spent grant deleted.
    assert len(statements) <= 7, "\n".join(statements)


def test_a_code_exchanged_by_a_concurrent_request_gives_no_tokens(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import connection

    from selfcare.channels.oidc import exchange
    from selfcare.channels.oidc.validator import Validator

    pkce = Pkce.new()
    code = oidc.code_from(client, pkce)
    # The library's path, which reads and writes in two steps (on SQLite, and for the requests exchange.py hands
    # over); in one statement the DELETE settles it (test_token_exchange.py).
    monkeypatch.setattr(exchange, "answer", lambda request, form: None)
    validate = Validator.validate_code

    def exchanged_meanwhile(self: Validator, *args: Any, **kwargs: Any) -> bool:
        valid = validate(self, *args, **kwargs)
        # The other request deletes the grant between this one's read and its write.
        Grant.objects.all().delete()
        return valid

    monkeypatch.setattr(Validator, "validate_code", exchanged_meanwhile)
    response = oidc.exchange(client, code, pkce)
    assert response.status_code == 400
    assert json.loads(response.content)["error"] == "invalid_grant"
    if connection.vendor == "postgresql":
        # The grant's delete decides in the same statement as the inserts: nothing was written for nobody.
        assert not AccessToken.objects.exists()
        assert not RefreshToken.objects.exists()


def test_an_idle_refresh_token_is_refused(client: Client) -> None:
    from oauth2_provider.settings import oauth2_settings

    tokens = _tokens(client)
    idle = datetime.timedelta(seconds=oauth2_settings.REFRESH_TOKEN_EXPIRE_SECONDS)
    AccessToken.objects.update(expires=timezone.now() - idle)
    assert oidc.refresh(client, tokens["refresh_token"]).status_code == 400
    assert RefreshToken.objects.filter(revoked__isnull=True).count() == 1  # refused, not rotated


def test_a_refresh_token_of_another_client_is_refused_and_not_rotated(client: Client) -> None:
    oidc.app("other-app")
    tokens = _tokens(client)
    assert oidc.refresh(client, tokens["refresh_token"], client_id="other-app").status_code == 400
    assert oidc.refresh(client, tokens["refresh_token"]).status_code == 200


def test_a_refresh_token_rotated_by_a_concurrent_request_counts_as_a_replay(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from selfcare.channels.oidc import refresh
    from selfcare.channels.oidc.validator import Validator

    tokens = _tokens(client)
    # The library's path, which reads and writes in two steps (on SQLite, and for the requests refresh.py hands
    # over); the one-statement path's own race is in test_token_refresh.py.
    monkeypatch.setattr(refresh, "answer", lambda request, form: None)
    validate = Validator.validate_refresh_token

    def rotated_meanwhile(self: Validator, *args: Any, **kwargs: Any) -> bool:
        valid = validate(self, *args, **kwargs)
        # The other request commits its rotation between this one's read and its write.
        RefreshToken.objects.update(revoked=timezone.now())
        return valid

    monkeypatch.setattr(Validator, "validate_refresh_token", rotated_meanwhile)
    response = oidc.refresh(client, tokens["refresh_token"])
    assert response.status_code == 400
    assert json.loads(response.content) == {"error": "invalid_grant"}
    assert RefreshToken.objects.count() == 1  # nothing of the losing request was kept
    assert ClientLogin.objects.get().revoked_reason == "refresh token reused"


def test_an_es256_client_gets_es256_id_tokens_that_verify_against_the_jwks(
    anna: DigitalIdentity, settings: Any
) -> None:
    from joserfc import jwt
    from joserfc.jwk import KeySet

    settings.OIDC_ES256_CLIENTS = ["own-app"]
    oidc.app("own-app")
    browser = Client()
    oidc.eid_session(browser, anna)
    pkce = Pkce.new()
    code = oidc.code_from(browser, pkce, client_id="own-app")
    first = json.loads(oidc.exchange(browser, code, pkce, client_id="own-app").content)
    second = json.loads(oidc.refresh(browser, first["refresh_token"], client_id="own-app").content)
    keys = KeySet.import_key_set(json.loads(browser.get("/oauth/jwks/").content))
    for tokens in (first, second):
        decoded = jwt.decode(tokens["id_token"], keys, algorithms=["ES256"])
        assert decoded.header["alg"] == "ES256"
        assert decoded.claims["aud"] == "own-app"
        assert decoded.claims["sub"] == pairwise_subject(anna.pk, "own-app")
        assert decoded.claims["acr"] == ACR_HIGH
    with pytest.raises(Exception):  # noqa: B017,PT011 - joserfc's error for a wrong algorithm
        jwt.decode(second["id_token"], keys, algorithms=["RS256"])
    # RP-initiated logout verifies the hint with the key of its algorithm.
    response = browser.get(
        "/oauth/logout/",
        {"id_token_hint": second["id_token"], "post_logout_redirect_uri": "http://127.0.0.1/logged-out"},
    )
    assert response["Location"] == "http://127.0.0.1/logged-out"
    assert "_auth_user_id" not in browser.session


def test_an_rs256_token_does_not_pass_as_a_hint_for_an_es256_client(client: Client, settings: Any) -> None:
    tokens = _tokens(client)
    settings.OIDC_ES256_CLIENTS = ["test-app"]
    response = client.get(
        "/oauth/logout/",
        {"id_token_hint": tokens["id_token"], "post_logout_redirect_uri": "http://127.0.0.1/logged-out"},
    )
    assert response.get("Location", "") != "http://127.0.0.1/logged-out"
    assert "_auth_user_id" in client.session
