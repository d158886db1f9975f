"""Staff log in with eID only (SECURITY.md "Staff", 6.1.3): the back office takes no password, brute force has
nothing to hit, production refuses to start with a staff account that has a usable password, and staff sessions
have their shorter idle timeout."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from selfcare.access.staff import password_staff_problem
from selfcare.access.tests import factories as people
from selfcare.audit.models import AuditEvent
from selfcare.tests.subprocess_django import OIDC_KEY, run_python, write_trust_anchor

STRONG_KEY = "k" * 20 + "Zq8-3vL_p0w9Xy2MbN7cT4rS6uE1hJ5gF0dA"


@pytest.mark.django_db
def test_twenty_five_wrong_passwords_and_then_the_right_one_log_nobody_into_the_back_office(client: Client) -> None:
    get_user_model().objects.create_user("old-admin", password="the-right-password", is_staff=True, is_superuser=True)
    for attempt in range(25):
        response = client.post("/backoffice/login/", {"username": "old-admin", "password": f"wrong-{attempt}"})
        assert response.status_code == 302
        assert "/login/?next=" in response["Location"]  # to the eID login: the form is not even read
    response = client.post("/backoffice/login/", {"username": "old-admin", "password": "the-right-password"})
    assert "/login/?next=" in response["Location"]
    assert "_auth_user_id" not in client.session
    assert not client.login(username="old-admin", password="the-right-password")  # no backend takes passwords
    assert client.get("/backoffice/customers/company/").status_code == 302


@pytest.mark.django_db
def test_the_back_office_sends_a_visitor_to_the_eid_login_and_a_person_without_a_role_gets_a_refusal(
    client: Client,
) -> None:
    response = client.get("/backoffice/login/?next=/backoffice/mandates/mandate/")
    assert response["Location"] == "/login/?next=%2Fbackoffice%2Fmandates%2Fmandate%2F"
    client.force_login(people.person("32123456780").user)
    refused = client.get("/backoffice/login/")
    assert refused.status_code == 403
    assert "/backoffice/mandates/" not in refused.content.decode()


@pytest.mark.django_db
def test_staff_cannot_set_a_password_in_the_back_office(client: Client) -> None:
    people.staff_client(client, "administrator")
    assert client.get("/backoffice/password_change/").status_code == 404
    assert client.post("/backoffice/password_change/", {"new_password1": "x", "new_password2": "x"}).status_code == 404


@pytest.mark.django_db
def test_a_staff_session_ends_after_the_staff_idle_timeout_while_a_customers_lasts_longer(
    client: Client, settings: Any
) -> None:
    settings.STAFF_SESSION_IDLE_TIMEOUT_SECONDS = 900
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 1800
    customer = Client()
    customer.force_login(people.person("32123456780").user)
    people.staff_client(client, "auditor")
    assert client.get("/backoffice/audit/auditevent/").status_code == 200
    twenty_minutes_ago = time.time() - 20 * 60
    for browser in (client, customer):
        session = browser.session
        session["identity.last_seen"] = twenty_minutes_ago
        session.save()
    assert client.get("/backoffice/audit/auditevent/").status_code == 302  # logged out: back to the login
    assert "_auth_user_id" not in client.session
    assert customer.get("/en/me/").status_code == 200  # 20 minutes idle is fine for a customer


def test_the_password_check_names_the_accounts_and_the_break_glass_setting() -> None:
    user_model = get_user_model()
    with_password = user_model(username="old-admin")
    with_password.set_password("x")
    without = user_model(username="eid-staff")
    without.set_unusable_password()
    problem = password_staff_problem([with_password, without], break_glass=False)
    assert problem is not None
    assert "old-admin" in problem
    assert "eid-staff" not in problem
    assert "STAFF_PASSWORD_BREAK_GLASS" in problem
    assert password_staff_problem([with_password], break_glass=True) is None
    assert password_staff_problem([without], break_glass=False) is None


PREPARE = """
import django; django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth import get_user_model
get_user_model().objects.create_user("old-admin", password="x", is_staff=True, is_superuser=True)
print("prepared")
"""
START = "import selfcare.wsgi; print('started')"


def test_production_refuses_to_start_with_a_password_capable_staff_account(tmp_path: Path) -> None:
    production = {
        "DEBUG": "false",
        "SECRET_KEY": STRONG_KEY,
        "ALLOWED_HOSTS": "mans.example.lv",
        "SMS_BACKEND": "smpp",
        "OIDC_SIGNING_KEY_PATH": OIDC_KEY,
        "SIGNED_DOCUMENT_TRUST_ANCHORS": write_trust_anchor(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
        "SMARTID_TLS_PINS": "a" * 64,  # any pin: only the staff account should stop the start here
        "REDIS_URL": "redis://redis.internal:6379/0",  # named, never connected to at start
    }
    prepared = run_python(PREPARE, **production)
    assert prepared.returncode == 0, prepared.stderr
    refused = run_python(START, **production)
    assert refused.returncode != 0
    assert "old-admin" in refused.stderr
    assert "STAFF_PASSWORD_BREAK_GLASS" in refused.stderr
    emergency = run_python(START, **production, STAFF_PASSWORD_BREAK_GLASS="true")
    assert emergency.returncode == 0, emergency.stderr
    removed = run_python(
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('staff', 'remove-passwords')",
        **production,
    )
    assert "passwords removed: 1" in removed.stdout, removed.stderr
    started = run_python(START, **production)
    assert started.returncode == 0, started.stderr
    assert "started" in started.stdout


@pytest.mark.django_db
def test_a_break_glass_password_login_is_audited(client: Client, settings: Any) -> None:
    settings.STAFF_PASSWORD_BREAK_GLASS = True
    settings.AUTHENTICATION_BACKENDS = [
        "selfcare.identity.backends.EidOnlyBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]
    get_user_model().objects.create_user("old-admin", password="x", is_staff=True, is_superuser=True)
    assert client.login(username="old-admin", password="x")
    assert AuditEvent.objects.filter(action="access:break-glass:login", staff_role="break-glass").exists()


@pytest.mark.django_db
def test_a_staff_login_is_a_session_on_their_my_security_and_the_back_office_names_them_not_a_user_name() -> None:
    from selfcare.access.models import StaffRole
    from selfcare.access.services import role_grant_from_server
    from selfcare.security.tests.helpers import log_in

    browser = Client()
    identity = log_in(browser, "32112233445")
    role_grant_from_server(identity=identity, role=StaffRole.MANDATE_OFFICER)
    page = browser.get("/backoffice/").content.decode()
    assert identity.full_name in page
    assert identity.user.get_username() not in page
    assert "password_change" not in page
    security = browser.get("/en/me/security/").content.decode()
    assert security.count('data-testid="session-row"') == 1
