"""Django settings, read from the environment (and an optional `.env` file in the working directory).

Every variable is documented in the README's "Configuration" section. The defaults are safe for production except
where a value cannot be guessed (SECRET_KEY, ALLOWED_HOSTS): then a development-only default is used, and
`production_problems` refuses to start unless DEBUG is on.
"""

from __future__ import annotations

from pathlib import Path

import django_stubs_ext
import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from selfcare.config import DEV_SECRET_KEY, brand_from_env, production_problems, redis_cache

# Lets admin and generic classes be subscripted at run time, as mypy --strict needs them written.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG: bool = env.bool("DEBUG", default=False)
SELFCARE_DEMO: bool = env.bool("SELFCARE_DEMO", default=False)
SECRET_KEY: str = env.str("SECRET_KEY", default=DEV_SECRET_KEY)
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

_problems = production_problems(
    debug=DEBUG,
    demo=SELFCARE_DEMO,
    secret_key=SECRET_KEY,
    sms_backend=env.str("SMS_BACKEND", default="outbox"),
)
if _problems:
    raise ImproperlyConfigured("Refusing to start with unsafe production settings:\n- " + "\n- ".join(_problems))

VAR_DIR = Path(env.str("SELFCARE_VAR_DIR", default=str(BASE_DIR / "var")))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "selfcare.customers",
    "selfcare.identity",
    "selfcare.mandates",
    "selfcare.binding",
    "selfcare.usage",
    "selfcare.access",
    "selfcare.audit",
    "selfcare.demo",
    "selfcare.portal",
    "selfcare.backoffice",
    "selfcare.simulators",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "selfcare.identity.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

if not DEBUG:
    # In production static files are served from STATIC_ROOT (after collectstatic), compressed and cached forever.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "selfcare.urls"
WSGI_APPLICATION = "selfcare.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "selfcare.portal.context_processors.brand",
                "selfcare.portal.context_processors.session_info",
            ],
        },
    },
]

# --- Data ---------------------------------------------------------------------------------------------------
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'selfcare.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the portal read while a write is in flight; the timeout rides out short write locks.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL: str = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL, timeout=env.float("REDIS_TIMEOUT_SECONDS", default=2.0))}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Language, time -------------------------------------------------------------------------------------------
LANGUAGE_CODE = "lv"
LANGUAGES = [("lv", _("Latvian")), ("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
FORMAT_MODULE_PATH = ["selfcare.formats"]
USE_I18N = True
TIME_ZONE = "Europe/Riga"
USE_TZ = True
LANGUAGE_COOKIE_NAME = "selfcare_language"
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static files -----------------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Sessions and cookies (SECURITY.md "Sessions") ----------------------------------------------------------------
SESSION_IDLE_TIMEOUT_SECONDS: int = env.int("SESSION_IDLE_TIMEOUT_SECONDS", default=30 * 60)
SESSION_ABSOLUTE_TIMEOUT_SECONDS: int = env.int("SESSION_ABSOLUTE_TIMEOUT_SECONDS", default=12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT_SECONDS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
# The __Host- prefix binds the cookie to this exact host over HTTPS; browsers refuse it on plain HTTP.
SESSION_COOKIE_NAME = "sessionid" if DEBUG else "__Host-sessionid"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_NAME = "csrftoken" if DEBUG else "__Host-csrftoken"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", False) else None
SECURE_SSL_REDIRECT: bool = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS: int = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = False

AUTH_PASSWORD_VALIDATORS: list[dict[str, str]] = []

# Where the demo's own server answers: the eID simulators are reached there (`make run` sets it from HOST/PORT).
SELFCARE_DEMO_BASE_URL: str = env.str("SELFCARE_DEMO_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- eID: Smart-ID (README "Smart-ID") ------------------------------------------------------------------------------
SELFCARE_PKI_DIR = Path(env.str("SELFCARE_PKI_DIR", default=str(VAR_DIR / "pki")))
SMARTID_API_URL: str = env.str("SMARTID_API_URL", default="")
SMARTID_RP_UUID: str = env.str("SMARTID_RP_UUID", default="")
SMARTID_RP_NAME: str = env.str("SMARTID_RP_NAME", default="DEMO")
SMARTID_TRUSTED_CA: str = env.str("SMARTID_TRUSTED_CA", default="")
SMARTID_INTERMEDIATE_CA: str = env.str("SMARTID_INTERMEDIATE_CA", default="")
SMARTID_CERTIFICATE_LEVEL: str = env.str("SMARTID_CERTIFICATE_LEVEL", default="QUALIFIED")
SMARTID_HASH_ALGORITHM: str = env.str("SMARTID_HASH_ALGORITHM", default="SHA-512")
SMARTID_SCHEME_NAME: str = env.str("SMARTID_SCHEME_NAME", default="smart-id")
SMARTID_CONNECT_TIMEOUT: float = env.float("SMARTID_CONNECT_TIMEOUT", default=5.0)
SMARTID_POLL_TIMEOUT_MS: int = env.int("SMARTID_POLL_TIMEOUT_MS", default=1000)
SMARTID_SESSION_TIMEOUT_SECONDS: int = env.int("SMARTID_SESSION_TIMEOUT_SECONDS", default=120)
SMARTID_TLS_PINS: str = env.str("SMARTID_TLS_PINS", default="")
# Demo simulator only (`make load`): demo persons whose simulated phone confirms by itself.
SMARTID_SIM_AUTO_CONFIRM: list[str] = env.list("SMARTID_SIM_AUTO_CONFIRM", default=[])

# --- eID: eParaksts (README "eParaksts") ------------------------------------------------------------------------------
EPARAKSTS_URL: str = env.str("EPARAKSTS_URL", default="")
EPARAKSTS_CLIENT_ID: str = env.str("EPARAKSTS_CLIENT_ID", default="")
EPARAKSTS_CLIENT_SECRET: str = env.str("EPARAKSTS_CLIENT_SECRET", default="")
EPARAKSTS_REDIRECT_URI: str = env.str("EPARAKSTS_REDIRECT_URI", default="")
EPARAKSTS_ACR_MOBILE: str = env.str("EPARAKSTS_ACR_MOBILE", default="urn:eparaksts:authentication:flow:mobileid")
EPARAKSTS_ACR_CARD: str = env.str("EPARAKSTS_ACR_CARD", default="urn:eparaksts:authentication:flow:sc_plugin")
EPARAKSTS_ACR_SCAN: str = env.str("EPARAKSTS_ACR_SCAN", default="urn:eparaksts:authentication:flow:mobile-eid")
EPARAKSTS_CONNECT_TIMEOUT: float = env.float("EPARAKSTS_CONNECT_TIMEOUT", default=5.0)
EPARAKSTS_READ_TIMEOUT: float = env.float("EPARAKSTS_READ_TIMEOUT", default=10.0)
EPARAKSTS_STATE_MAX_AGE_SECONDS: int = env.int("EPARAKSTS_STATE_MAX_AGE_SECONDS", default=600)
# --- eID: bank links (README "Bank links"): BANKLINK_<BANK>_<FIELD>, read by identity/methods/banklink/profiles.py --
BANKLINK: dict[str, dict[str, str]] = {
    bank: {
        name: env.str(f"BANKLINK_{bank.upper()}_{name}", default="")
        for name in ("URL", "SENDER_ID", "PRIVATE_KEY", "BANK_CERTIFICATE", "HASH", "ALLOW_SHA1", "C14N", "PROFILE")
    }
    for bank in ("swedbank", "seb", "citadele", "luminor")
}

LOGIN_URL = "portal:login"

# --- Number binding: one-time codes by SMS (SECURITY.md "One-time codes") --------------------------------------------
OTP_VALIDITY_SECONDS: int = env.int("OTP_VALIDITY_SECONDS", default=600)
OTP_MAX_PER_NUMBER_PER_DAY: int = env.int("OTP_MAX_PER_NUMBER_PER_DAY", default=5)
BINDING_SIM_CHANGE_QUARANTINE_DAYS: int = env.int("BINDING_SIM_CHANGE_QUARANTINE_DAYS", default=7)
BINDING_FRESH_LOGIN_SECONDS: int = env.int("BINDING_FRESH_LOGIN_SECONDS", default=300)
# "outbox" (default: messages stay in the database; the demo phone page shows them), "smpp" (the operator's SMSC),
# "http" (an HTTP SMS gateway) or a dotted path to a class.
SMS_BACKEND: str = env.str("SMS_BACKEND", default="outbox")
SMS_MAX_ATTEMPTS: int = env.int("SMS_MAX_ATTEMPTS", default=3)
SMS_SMPP_HOST: str = env.str("SMS_SMPP_HOST", default="")
SMS_SMPP_PORT: int = env.int("SMS_SMPP_PORT", default=2775)
SMS_SMPP_SYSTEM_ID: str = env.str("SMS_SMPP_SYSTEM_ID", default="")
SMS_SMPP_PASSWORD: str = env.str("SMS_SMPP_PASSWORD", default="")
SMS_SMPP_SOURCE_ADDR: str = env.str("SMS_SMPP_SOURCE_ADDR", default="Tele2")
SMS_SMPP_TIMEOUT: float = env.float("SMS_SMPP_TIMEOUT", default=10)
SMS_HTTP_URL: str = env.str("SMS_HTTP_URL", default="")
SMS_HTTP_TOKEN: str = env.str("SMS_HTTP_TOKEN", default="")
SMS_HTTP_TIMEOUT: float = env.float("SMS_HTTP_TIMEOUT", default=10)

# Usage and remaining data (selfcare/usage/): how volumes are shown, and the EU roaming (RLAH) wholesale caps.
USAGE_VOLUME_UNIT: str = env.str("USAGE_VOLUME_UNIT", default="decimal")
USAGE_VOLUME_STEP_MB: int = env.int("USAGE_VOLUME_STEP_MB", default=100)
USAGE_RLAH_CAPS_EUR_PER_GB: str = env.str(
    "USAGE_RLAH_CAPS_EUR_PER_GB", default="2022:2.00,2023:1.80,2024:1.55,2025:1.30,2026:1.10,2027:1.00"
)
USAGE_IMPORT_BATCH_ROWS: int = env.int("USAGE_IMPORT_BATCH_ROWS", default=50000)
USAGE_FEED_MAX_EVENTS: int = env.int("USAGE_FEED_MAX_EVENTS", default=10000)
if USAGE_VOLUME_UNIT not in ("decimal", "binary"):
    raise ImproperlyConfigured("USAGE_VOLUME_UNIT must be 'decimal' (1 GB = 1000³ bytes) or 'binary' (1 GiB = 1024³).")
if USAGE_VOLUME_STEP_MB < 1:
    raise ImproperlyConfigured("USAGE_VOLUME_STEP_MB must be a whole number of megabytes, at least 1.")

# --- Brand (the brand is configuration, not code) -------------------------------------------------------------------
BRAND = brand_from_env(env)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
