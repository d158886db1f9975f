"""The settings refuse to run production unsafely, and say what to set."""

from pathlib import Path

import pytest

from selfcare.config import (
    DEV_SECRET_KEY,
    Brand,
    contrast_ratio,
    production_problems,
    trust_anchor_problem,
    validate_brand,
)
from selfcare.tests.subprocess_django import OIDC_KEY, run_python, write_trust_anchor

STRONG_KEY = "k" * 20 + "Zq8-3vL_p0w9Xy2MbN7cT4rS6uE1hJ5gF0dA"
LOAD_SETTINGS = "import django; django.setup(); print('started')"
PIN = "ab" * 32
REDIS = "redis://redis.internal:6379/0"  # never connected to: the settings only name it


@pytest.fixture(scope="module")
def anchor(tmp_path_factory: pytest.TempPathFactory) -> str:
    return write_trust_anchor(tmp_path_factory.mktemp("anchors"))


def test_production_with_the_demo_switched_on_is_refused_naming_the_variable(anchor: str) -> None:
    problems = production_problems(
        debug=False,
        demo=True,
        secret_key=STRONG_KEY,
        sms_backend="smpp",
        oidc_signing_key=OIDC_KEY,
        trust_anchors=anchor,
        smartid_tls_pins=PIN,
    )
    assert len(problems) == 1
    assert "SELFCARE_DEMO" in problems[0]


@pytest.mark.parametrize("key", [DEV_SECRET_KEY, "short", "test-only-secret-key-not-for-production-0123456789xyz"])
def test_production_with_a_default_or_weak_secret_key_is_refused(key: str) -> None:
    problems = production_problems(debug=False, demo=False, secret_key=key)
    assert any("SECRET_KEY" in p for p in problems)


def test_production_refuses_the_sms_outbox_because_codes_would_never_reach_a_phone(anchor: str) -> None:
    problems = production_problems(
        debug=False,
        demo=False,
        secret_key=STRONG_KEY,
        sms_backend="outbox",
        oidc_signing_key=OIDC_KEY,
        trust_anchors=anchor,
        smartid_tls_pins=PIN,
    )
    assert len(problems) == 1
    assert "SMS_BACKEND" in problems[0]


def test_safe_production_settings_and_any_debug_settings_pass(anchor: str) -> None:
    assert (
        production_problems(
            debug=False,
            demo=False,
            secret_key=STRONG_KEY,
            sms_backend="smpp",
            oidc_signing_key=OIDC_KEY,
            trust_anchors=anchor,
            smartid_tls_pins=PIN,
        )
        == []
    )
    assert production_problems(debug=True, demo=True, secret_key=DEV_SECRET_KEY) == []


def test_the_demo_does_not_start_when_it_would_answer_to_a_real_host_name() -> None:
    result = run_python(
        LOAD_SETTINGS, DEBUG="false", SELFCARE_DEMO="true", SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="mans.example.lv"
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SELFCARE_DEMO" in result.stderr
    assert "mans.example.lv" in result.stderr


def test_the_demo_starts_with_debug_off_on_this_machine_over_plain_http() -> None:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_NAME, s.SECURE_SSL_REDIRECT)"
    )
    result = run_python(code, DEBUG="false", SELFCARE_DEMO="true", SELFCARE_HTTPS="false")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False", "sessionid", "False"]


def test_production_refuses_plain_http() -> None:
    problems = production_problems(debug=False, demo=False, secret_key=STRONG_KEY, https=False)
    assert [p for p in problems if "SELFCARE_HTTPS" in p]


def test_the_portal_does_not_start_in_production_without_a_secret_key() -> None:
    result = run_python(LOAD_SETTINGS, DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_the_portal_starts_with_safe_production_settings(anchor: str) -> None:
    result = run_python(
        LOAD_SETTINGS,
        DEBUG="false",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="mans.example.lv",
        SMS_BACKEND="smpp",
        OIDC_SIGNING_KEY_PATH=OIDC_KEY,
        SIGNED_DOCUMENT_TRUST_ANCHORS=anchor,
        SMARTID_TLS_PINS=PIN,
        REDIS_URL=REDIS,
    )
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_production_cookies_are_secure_and_host_bound(anchor: str) -> None:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_HTTPONLY, "
        "s.SESSION_COOKIE_SAMESITE)"
    )
    result = run_python(
        code,
        DEBUG="false",
        SECRET_KEY=STRONG_KEY,
        SMS_BACKEND="smpp",
        OIDC_SIGNING_KEY_PATH=OIDC_KEY,
        SIGNED_DOCUMENT_TRUST_ANCHORS=anchor,
        SMARTID_TLS_PINS=PIN,
        REDIS_URL=REDIS,
    )
    assert result.stdout.split() == ["True", "__Host-sessionid", "__Host-csrftoken", "True", "Lax"]


def test_production_refuses_to_start_without_an_oidc_signing_key_file(tmp_path: Path) -> None:
    problems = production_problems(debug=False, demo=False, secret_key=STRONG_KEY, sms_backend="smpp")
    assert [p for p in problems if "OIDC_SIGNING_KEY_PATH" in p]
    missing = str(tmp_path / "nothing.pem")
    result = run_python(
        LOAD_SETTINGS, DEBUG="false", SECRET_KEY=STRONG_KEY, SMS_BACKEND="smpp", OIDC_SIGNING_KEY_PATH=missing
    )
    assert result.returncode != 0
    assert "OIDC_SIGNING_KEY_PATH" in result.stderr
    assert not Path(missing).exists()  # production never makes up a key


@pytest.mark.parametrize(
    ("setting", "says"),
    [
        ("", "is empty"),
        ("{tmp}/nowhere.pem", "does not exist"),
        ("{anchor},{tmp}/nowhere", "does not exist"),
        ("{tmp}/not-a-certificate.pem", "not a readable PEM certificate"),
        ("{tmp}/unreadable", "not a readable PEM certificate"),
        ("{tmp}/empty-directory", "names no certificate"),
    ],
)
def test_production_refuses_to_start_without_readable_signed_document_trust_anchors(
    tmp_path: Path, anchor: str, setting: str, says: str
) -> None:
    """Found at start-up, naming the variable: not at the first upload, as an error page in front of a customer."""
    (tmp_path / "not-a-certificate.pem").write_text("-----BEGIN NOTHING-----\n")
    # A *.pem that cannot be read, whoever runs the test (root reads a file whatever its mode, not a directory).
    (tmp_path / "unreadable" / "root.pem").mkdir(parents=True)
    (tmp_path / "empty-directory").mkdir()
    value = setting.format(tmp=tmp_path, anchor=anchor)
    result = run_python(
        LOAD_SETTINGS,
        DEBUG="false",
        SECRET_KEY=STRONG_KEY,
        SMS_BACKEND="smpp",
        OIDC_SIGNING_KEY_PATH=OIDC_KEY,
        SIGNED_DOCUMENT_TRUST_ANCHORS=value,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SIGNED_DOCUMENT_TRUST_ANCHORS" in result.stderr
    assert says in result.stderr


def test_a_directory_of_anchors_is_accepted(tmp_path: Path) -> None:
    write_trust_anchor(tmp_path)
    assert trust_anchor_problem(str(tmp_path)) is None


def test_the_demo_generates_its_signing_key_once_and_reuses_it(tmp_path: Path) -> None:
    from selfcare.channels.oidc.keys import signing_key_pem

    path = tmp_path / "key.pem"
    first = signing_key_pem(path, generate=True)
    assert path.stat().st_mode & 0o077 == 0
    assert signing_key_pem(path, generate=True) == first


def _brand(**overrides: str) -> Brand:
    values = {
        "name": "Mans Tele2",
        "operator": "Tele2",
        "primary_colour": "#1f2a44",
        "accent_colour": "#00a6d6",
        "logo_url": "",
        "business_email": "bizness@tele2.lv",
        "support_phone": "",
    } | overrides
    return Brand(**values)


def test_the_default_brand_is_valid_and_readable() -> None:
    assert validate_brand(_brand()) == []
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)


def test_a_brand_colour_too_light_for_white_text_or_malformed_is_refused() -> None:
    assert any("too light" in p for p in validate_brand(_brand(primary_colour="#9fd3ff")))
    assert any("BRAND_ACCENT_COLOUR" in p for p in validate_brand(_brand(accent_colour="blue")))
    assert any("BRAND_BUSINESS_EMAIL" in p for p in validate_brand(_brand(business_email="nobody")))


def test_production_refuses_to_start_without_smart_id_tls_pins(anchor: str) -> None:
    result = run_python(
        LOAD_SETTINGS,
        DEBUG="false",
        SECRET_KEY=STRONG_KEY,
        SMS_BACKEND="smpp",
        OIDC_SIGNING_KEY_PATH=OIDC_KEY,
        SIGNED_DOCUMENT_TRUST_ANCHORS=anchor,
    )
    assert result.returncode != 0
    assert "SMARTID_TLS_PINS is empty" in result.stderr


@pytest.mark.parametrize(
    ("smartid", "eparaksts_client", "eparaksts", "variable"),
    [
        ("not-a-fingerprint", "", "", "SMARTID_TLS_PINS"),
        (PIN, "tele2-selfcare", "", "EPARAKSTS_TLS_PINS"),
        (PIN, "tele2-selfcare", "ab:cd", "EPARAKSTS_TLS_PINS"),
    ],
)
def test_production_refuses_malformed_pins_and_an_eparaksts_client_without_pins(
    anchor: str, smartid: str, eparaksts_client: str, eparaksts: str, variable: str
) -> None:
    problems = production_problems(
        debug=False,
        demo=False,
        secret_key=STRONG_KEY,
        sms_backend="smpp",
        oidc_signing_key=OIDC_KEY,
        trust_anchors=anchor,
        smartid_tls_pins=smartid,
        eparaksts_client_id=eparaksts_client,
        eparaksts_tls_pins=eparaksts,
    )
    assert len(problems) == 1
    assert variable in problems[0]


def test_an_eparaksts_client_with_pins_and_colon_separated_fingerprints_pass(anchor: str) -> None:
    colons = ":".join(["AB"] * 32)
    assert (
        production_problems(
            debug=False,
            demo=False,
            secret_key=STRONG_KEY,
            sms_backend="smpp",
            oidc_signing_key=OIDC_KEY,
            trust_anchors=anchor,
            smartid_tls_pins=colons,
            eparaksts_client_id="tele2-selfcare",
            eparaksts_tls_pins=f"{PIN},{'cd' * 32}",
        )
        == []
    )


def test_an_unsupported_smart_id_hash_algorithm_is_refused_at_start() -> None:
    result = run_python(LOAD_SETTINGS, DEBUG="true", SMARTID_HASH_ALGORITHM="SHA3-512")
    assert result.returncode != 0
    assert "SMARTID_HASH_ALGORITHM must be one of SHA-256, SHA-384, SHA-512" in result.stderr


def test_the_hash_algorithms_allowed_at_start_are_those_verification_supports() -> None:
    from django.conf import settings

    from selfcare.identity.methods.smartid.verification import _HASHES

    assert set(settings.SMARTID_HASH_ALGORITHMS) == set(_HASHES)


def test_a_revocation_mode_other_than_hard_or_soft_is_refused_at_start() -> None:
    result = run_python(LOAD_SETTINGS, DEBUG="true", REVOCATION_MODE="off")
    assert result.returncode != 0
    assert "REVOCATION_MODE must be 'hard'" in result.stderr


def test_a_brand_font_or_support_contact_that_could_break_the_page_is_refused() -> None:
    assert validate_brand(_brand(font_family='"Tele2 Sans", Arial, sans-serif', support_email="info@tele2.lv")) == []
    assert any("BRAND_FONT_FAMILY" in p for p in validate_brand(_brand(font_family="x; } body { display: none")))
    assert any("BRAND_SUPPORT_EMAIL" in p for p in validate_brand(_brand(support_email="nobody")))
    assert any("BRAND_SUPPORT_URL" in p for p in validate_brand(_brand(support_url="javascript:alert(1)")))
    family = '"Tele2 Sans", Arial'
    for url in ("https://cdn.tele2.lv/fonts/t2.woff2", "/static/fonts/t2.woff"):
        assert validate_brand(_brand(font_family=family, font_url=url)) == [], url
    for url in ('https://cdn.tele2.lv/t2.woff2") } body { x', "http://cdn.tele2.lv/t2.woff2", "https://x/t2.ttf"):
        assert any("BRAND_FONT_URL must" in p for p in validate_brand(_brand(font_family=family, font_url=url))), url
    assert any("needs BRAND_FONT_FAMILY" in p for p in validate_brand(_brand(font_url="/static/fonts/t2.woff2")))


def test_documents_go_to_the_configured_object_store_encrypted_and_never_public() -> None:
    code = (
        "import django; django.setup(); from django.core.files.storage import storages; "
        "s = storages['documents']; "
        "print(type(s).__name__, s.bucket_name, s.endpoint_url, s.region_name, s.default_acl, s.querystring_auth, "
        "s.object_parameters)"
    )
    result = run_python(
        code,
        DEBUG="true",
        DOCUMENTS_STORAGE="s3",
        DOCUMENTS_S3_BUCKET="operator-documents",
        DOCUMENTS_S3_ENDPOINT_URL="https://objects.example.net",
        DOCUMENTS_S3_REGION="eu-north-1",
        DOCUMENTS_S3_ENCRYPTION="aws:kms",
        DOCUMENTS_S3_KMS_KEY_ID="key-1",
    )
    assert result.stdout.split(" ", 6) == [
        "S3Storage",
        "operator-documents",
        "https://objects.example.net",
        "eu-north-1",
        "None",
        "True",
        "{'ServerSideEncryption': 'aws:kms', 'SSEKMSKeyId': 'key-1'}\n",
    ], result.stderr


def test_an_unknown_documents_storage_is_refused_naming_the_variable() -> None:
    result = run_python(LOAD_SETTINGS, DEBUG="true", DOCUMENTS_STORAGE="ftp")
    assert result.returncode != 0
    assert "DOCUMENTS_STORAGE" in result.stderr


def test_production_refuses_a_cache_of_its_own_in_each_process() -> None:
    problems = production_problems(debug=False, demo=False, secret_key=STRONG_KEY, redis_url="")
    assert any(problem.startswith("REDIS_URL is not set") for problem in problems)


@pytest.mark.parametrize(
    ("zone_1", "zone_2", "says"),
    [("CH,Switzerland", "US", "USAGE_WORLD_ZONE_1_COUNTRIES"), ("CH,US", "CA,us", "US is in both")],
)
def test_world_zone_lists_that_are_not_codes_or_share_a_country_stop_the_start(
    zone_1: str, zone_2: str, says: str
) -> None:
    result = run_python(
        LOAD_SETTINGS,
        DEBUG="true",
        USAGE_WORLD_ZONE_1_COUNTRIES=zone_1,
        USAGE_WORLD_ZONE_2_COUNTRIES=zone_2,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert says in result.stderr
