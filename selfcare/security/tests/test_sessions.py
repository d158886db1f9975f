"""A person sees their active sessions and ends them; an ended session is logged out at its next request."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from selfcare.audit.models import AuditEvent
from selfcare.security.models import EndReason, UserSession
from selfcare.security.sessions import (
    APP_TOKEN_SOURCES,
    SESSION_REGISTRY_ID,
    AppGrant,
    describe_device,
    register_app_token_source,
)
from selfcare.security.tests.helpers import FIREFOX, IPHONE, log_in

pytestmark = pytest.mark.django_db

PAGE = "/en/me/security/"


def test_a_login_is_registered_with_method_address_and_device() -> None:
    client = Client()
    anna = log_in(client, user_agent=IPHONE, ip="198.51.100.7")
    row = UserSession.objects.get(identity=anna)
    assert (row.method, row.ip_address, row.ended_at) == ("smartid", "198.51.100.7", None)
    page = client.get(PAGE).content.decode()
    assert "Mobile Safari 17 · iOS" in page
    assert "198.51.100.7" in page
    assert "this browser" in page


def test_ending_a_session_from_another_browser_logs_that_browser_out_at_its_next_request() -> None:
    laptop, phone = Client(), Client()
    anna = log_in(laptop, user_agent=FIREFOX)
    log_in(phone, user_agent=IPHONE)
    assert phone.get("/en/me/").status_code == 200
    phone_row = UserSession.objects.get(identity=anna, user_agent=IPHONE)
    phone_key = phone.cookies["sessionid"].value

    response = laptop.post(f"/en/me/security/sessions/{phone_row.pk}/end/")

    assert response.status_code == 302
    phone_row.refresh_from_db()
    assert phone_row.end_reason == EndReason.ENDED
    after = phone.get("/en/me/")
    assert after.status_code == 302
    assert "/login/" in after["Location"]
    assert not Session.objects.filter(session_key=phone_key).exists()
    assert laptop.get("/en/me/").status_code == 200
    assert AuditEvent.objects.filter(identity=anna, action="security:session:end").exists()


def test_a_session_whose_registry_id_is_not_one_the_registry_gives_out_is_logged_out() -> None:
    client = Client()
    log_in(client)
    session = client.session
    session[SESSION_REGISTRY_ID] = "not-a-uuid"
    session.save()
    after = client.get("/en/me/")
    assert after.status_code == 302
    assert "/login/" in after["Location"]


def test_end_all_others_keeps_only_the_browser_that_asked() -> None:
    first, second, third = Client(), Client(), Client()
    anna = log_in(first)
    log_in(second, user_agent=IPHONE)
    log_in(third, user_agent=IPHONE)

    second.post("/en/me/security/sessions/end-others/")

    assert second.get("/en/me/").status_code == 200
    assert first.get("/en/me/").status_code == 302
    assert third.get("/en/me/").status_code == 302
    assert UserSession.objects.filter(identity=anna, ended_at__isnull=True).count() == 1


def test_a_person_cannot_end_someone_elses_session_nor_tell_it_exists() -> None:
    anna_client, bruno_client = Client(), Client()
    log_in(anna_client)
    bruno = log_in(bruno_client, "16117519997")
    bruno_row = UserSession.objects.get(identity=bruno)

    response = anna_client.post(f"/en/me/security/sessions/{bruno_row.pk}/end/")
    missing = anna_client.post("/en/me/security/sessions/00000000-0000-4000-8000-000000000000/end/")

    assert response.status_code == missing.status_code == 404
    assert bruno_client.get("/en/me/").status_code == 200


def test_logging_out_ends_the_registered_session() -> None:
    client = Client()
    anna = log_in(client)
    client.post("/en/logout/")
    assert UserSession.objects.get(identity=anna).end_reason == EndReason.LOGOUT


def test_the_login_history_shows_only_the_persons_own_logins() -> None:
    anna_client = Client()
    log_in(anna_client, ip="192.0.2.1")
    log_in(Client(), "16117519997", ip="203.0.113.99")
    page = anna_client.get(PAGE).content.decode()
    assert "192.0.2.1" in page
    assert "203.0.113.99" not in page


def test_app_tokens_registered_by_an_issuer_are_listed_and_can_be_ended() -> None:
    import datetime

    revoked: list[str] = []

    class FakeIssuer:
        name = "test-issuer"

        def grants_of(self, identity: object) -> list[AppGrant]:
            now = datetime.datetime.now(tz=datetime.UTC)
            return [AppGrant("test-issuer", "g1", "Mans Tele2 app", now, None)]

        def revoke(self, identity: object, grant_id: str) -> bool:
            revoked.append(grant_id)
            return grant_id == "g1"

    register_app_token_source(FakeIssuer())
    try:
        client = Client()
        log_in(client)
        assert "Mans Tele2 app" in client.get(PAGE).content.decode()
        assert client.post("/en/me/security/apps/test-issuer/g1/end/").status_code == 302
        assert client.post("/en/me/security/apps/test-issuer/nope/end/").status_code == 404
        assert revoked == ["g1", "nope"]
    finally:
        APP_TOKEN_SOURCES.pop("test-issuer")


def test_devices_are_named_by_the_user_agent_library() -> None:
    assert str(describe_device(FIREFOX)) == "Firefox 128 · Linux"
    assert str(describe_device("")) == "unknown"


def test_the_security_page_needs_a_login() -> None:
    response = Client().get(PAGE)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_activity_is_noted_at_most_once_a_minute() -> None:
    import datetime

    client = Client()
    anna = log_in(client)
    row = UserSession.objects.get(identity=anna)
    recent = row.last_seen_at - datetime.timedelta(seconds=10)
    UserSession.objects.filter(pk=row.pk).update(last_seen_at=recent)
    client.get("/en/me/")
    assert UserSession.objects.get(pk=row.pk).last_seen_at == recent
    old = row.last_seen_at - datetime.timedelta(minutes=2)
    UserSession.objects.filter(pk=row.pk).update(last_seen_at=old)
    client.get("/en/me/")
    assert UserSession.objects.get(pk=row.pk).last_seen_at > old


def test_a_session_that_ran_out_is_marked_expired_and_no_longer_listed(settings: Any) -> None:
    from selfcare.identity.services import SESSION_LAST_SEEN

    client = Client()
    anna = log_in(client)
    session = client.session
    session[SESSION_LAST_SEEN] = session[SESSION_LAST_SEEN] - settings.SESSION_IDLE_TIMEOUT_SECONDS - 5
    session.save()
    assert client.get("/en/me/").status_code == 302
    assert UserSession.objects.get(identity=anna).end_reason == EndReason.EXPIRED
