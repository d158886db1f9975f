"""The app's access on the person's security page (one row per client login, "End this" revokes its token family)
and the provider's events in the audit trail: tokens given, a code or refresh token replayed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from selfcare.audit.models import AuditEvent
from selfcare.channels.models import ClientLogin
from selfcare.channels.tests import oidc
from selfcare.channels.tests.oidc import Pkce
from selfcare.channels.tests.test_api import World, get
from selfcare.channels.tests.test_api import world as world  # the fixture, shared
from selfcare.security.sessions import app_grants

pytestmark = pytest.mark.django_db


def tokens(browser: Client, scope: str = "openid profile") -> dict[str, Any]:
    pkce = Pkce.new()
    code = oidc.code_from(browser, pkce, scope=scope)
    return dict(json.loads(oidc.exchange(browser, code, pkce).content))


def test_the_security_page_lists_the_app_with_its_eid_method_and_ending_it_cuts_the_token_at_once(
    world: World,
) -> None:
    browser = Client()
    oidc.eid_session(browser, world.anna)
    given = tokens(browser)
    assert get("/api/v1/me", given["access_token"]).status_code == 200
    (grant,) = app_grants(world.anna)
    assert (grant.app_name, grant.method) == ("Test app", "smartid")
    assert grant.last_used_at is not None
    page = browser.get("/en/me/security/")
    assert "Test app · Smart-ID" in page.content.decode()
    assert "App access given" in page.content.decode()  # the issue, in the person's recent actions
    ended = browser.post(f"/en/me/security/apps/{grant.source}/{grant.grant_id}/end/")
    assert ended.status_code == 302
    refused = get("/api/v1/me", given["access_token"])
    assert refused.status_code == 401
    assert oidc.refresh(browser, given["refresh_token"]).status_code == 400
    assert app_grants(world.anna) == []
    assert AuditEvent.objects.filter(identity=world.anna, action="security:app:revoke").exists()


def test_one_person_cannot_end_another_persons_app_access(world: World) -> None:
    anna_browser = Client()
    oidc.eid_session(anna_browser, world.anna)
    given = tokens(anna_browser)
    (grant,) = app_grants(world.anna)
    other = Client()
    oidc.eid_session(other, world.peteris)
    assert other.post(f"/en/me/security/apps/{grant.source}/{grant.grant_id}/end/").status_code == 404
    assert get("/api/v1/me", given["access_token"]).status_code == 200


def test_tokens_given_to_an_app_are_in_the_persons_audit_trail(world: World) -> None:
    browser = Client()
    oidc.eid_session(browser, world.anna)
    tokens(browser)
    event = AuditEvent.objects.get(action="oidc:token:issue")
    assert event.identity == world.anna
    assert event.object_id == str(ClientLogin.objects.get().pk)


def test_a_replayed_code_ends_the_access_and_is_audited(world: World) -> None:
    browser = Client()
    oidc.eid_session(browser, world.anna)
    pkce = Pkce.new()
    code = oidc.code_from(browser, pkce, scope="openid profile")
    assert oidc.exchange(browser, code, pkce).status_code == 200
    assert oidc.exchange(browser, code, pkce).status_code == 400
    assert AuditEvent.objects.filter(identity=world.anna, action="oidc:code:reuse").count() == 1


def test_a_replayed_refresh_token_ends_the_access_and_is_audited(world: World) -> None:
    browser = Client()
    oidc.eid_session(browser, world.anna)
    first = tokens(browser)
    second = json.loads(oidc.refresh(browser, first["refresh_token"]).content)
    assert oidc.refresh(browser, first["refresh_token"]).status_code == 400
    assert get("/api/v1/me", second["access_token"]).status_code == 401
    assert ClientLogin.objects.get().revoked_reason == "refresh token reused"
    assert AuditEvent.objects.filter(identity=world.anna, action="oidc:refresh:reuse").count() == 1
