"""Every page carries a strict Content-Security-Policy and the other security headers; production settings pass
Django's deployment checks."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from selfcare.security.headers import content_security_policy, origin_of
from selfcare.simulators.testing import SimulatorsClient
from selfcare.tests.subprocess_django import OIDC_KEY, run_python, write_trust_anchor

STRONG_KEY = "k" * 20 + "Zq8-3vL_p0w9Xy2MbN7cT4rS6uE1hJ5gF0dA"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/login/", "/en/login/smart-id/", "/simulators/smartid/phone/"])
def test_pages_forbid_inline_script_inline_style_and_framing(client: Client, path: str) -> None:
    # The simulators are their own service, under the same policy.
    response = (SimulatorsClient() if path.startswith("/simulators/") else client).get(path)
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if " " in part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["default-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.django_db
def test_pages_switch_off_htmx_inline_indicator_style(client: Client) -> None:
    page = client.get("/login/").content.decode()
    assert '"includeIndicatorStyles": false' in page
    assert "<style" not in page
    assert " style=" not in page


def test_forms_may_post_only_to_ourselves_and_the_configured_eid_providers() -> None:
    policy = content_security_policy(
        form_targets=["https://eidas.eparaksts.lv/trustedx-authserver/x", "https://ib.swedbank.lv/a?b=c", ""],
        image_sources=["/static/logo.svg"],
    )
    directives = policy["DIRECTIVES"]
    assert isinstance(directives, dict)
    assert directives["form-action"] == ["'self'", "https://eidas.eparaksts.lv", "https://ib.swedbank.lv"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert origin_of("javascript:alert(1)") is None
    assert "report-uri" not in directives
    reporting = content_security_policy(report_uri="https://csp.example.lv/r")["DIRECTIVES"]
    assert isinstance(reporting, dict)
    assert reporting["report-uri"] == ["https://csp.example.lv/r"]


def test_production_settings_pass_the_deployment_checks_and_send_hsts(tmp_path: Path) -> None:
    code = (
        "import django, sys; django.setup(); from django.core.management import call_command; "
        "call_command('check', '--deploy', '--fail-level', 'WARNING'); "
        "from django.conf import settings as s; "
        "print('hsts', s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, "
        "s.CONTENT_SECURITY_POLICY['DIRECTIVES'].get('upgrade-insecure-requests'))"
    )
    result = run_python(
        code,
        DEBUG="false",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="mans.example.lv",
        SMS_BACKEND="smpp",
        EPARAKSTS_URL="https://eidas.eparaksts.lv",
        OIDC_SIGNING_KEY_PATH=OIDC_KEY,
        SIGNED_DOCUMENT_TRUST_ANCHORS=write_trust_anchor(tmp_path),
        SMARTID_TLS_PINS="ab" * 32,
        REDIS_URL="redis://redis.internal:6379/0",
        ORDERING_API_URL="https://oss.example.lv/tmf-api/productOrderingManagement/v4/",
        CATALOGUE_API_URL="https://oss.example.lv/tmf-api/productCatalogManagement/v4/",
        SIM_INVENTORY_API_URL="https://oss.example.lv/tmf-api/resourceInventoryManagement/v4/",
        ORDERING_API_TOKEN="operator-issued-token",
        ORDERING_CALLBACK_URL="https://mans.example.lv/orders/callback/",
        ORDERING_CALLBACK_SECRET="s" * 40,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert "hsts 31536000 True True" in result.stdout
