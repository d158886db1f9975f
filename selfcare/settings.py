"""Django settings, read from the environment (and an optional `.env` file in the working directory).

Every variable is documented in the README's "Configuration" section. The defaults are safe for production except
where a value cannot be guessed (SECRET_KEY, ALLOWED_HOSTS): then a development-only default is used, and
`production_problems` refuses to start unless DEBUG is on.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import django_stubs_ext
import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from selfcare.channels.oidc.keys import ec_signing_key_pem, signing_key_pem
from selfcare.config import (
    DEV_SECRET_KEY,
    LOOPBACK_HOSTS,
    brand_from_env,
    parse_rate,
    production_problems,
    redis_cache,
)
from selfcare.security.headers import content_security_policy

# Lets admin and generic classes be subscripted at run time, as mypy --strict needs them written.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG: bool = env.bool("DEBUG", default=False)
SELFCARE_DEMO: bool = env.bool("SELFCARE_DEMO", default=False)
# Whether browsers reach the portal over HTTPS (directly or through BEHIND_TLS_PROXY). Off only for the demo and
# development on a loopback address: cookies then lose Secure and the __Host- prefix (browsers refuse both over
# plain http) and nothing redirects to https. Decided here, not from DEBUG: the demo runs with DEBUG off.
SELFCARE_HTTPS: bool = env.bool("SELFCARE_HTTPS", default=True)
SECRET_KEY: str = env.str("SECRET_KEY", default=DEV_SECRET_KEY)
ALLOWED_HOSTS: list[str] = env.list("ALLOWED_HOSTS", default=list(LOOPBACK_HOSTS) if DEBUG or SELFCARE_DEMO else [])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

_problems = production_problems(
    debug=DEBUG,
    demo=SELFCARE_DEMO,
    https=SELFCARE_HTTPS,
    allowed_hosts=ALLOWED_HOSTS,
    secret_key=SECRET_KEY,
    sms_backend=env.str("SMS_BACKEND", default="outbox"),
    oidc_signing_key=env.str("OIDC_SIGNING_KEY_PATH", default=""),
    trust_anchors=env.str("SIGNED_DOCUMENT_TRUST_ANCHORS", default=""),
    smartid_tls_pins=env.str("SMARTID_TLS_PINS", default=""),
    eparaksts_client_id=env.str("EPARAKSTS_CLIENT_ID", default=""),
    eparaksts_tls_pins=env.str("EPARAKSTS_TLS_PINS", default=""),
    redis_url=env.str("REDIS_URL", default=""),
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
    "csp",
    "selfcare.customers",
    "selfcare.identity",
    "selfcare.mandates",
    "selfcare.binding",
    "selfcare.usage",
    "selfcare.spend",
    "selfcare.offers",
    "selfcare.orders",
    "selfcare.access",
    "selfcare.audit",
    "selfcare.demo",
    "selfcare.portal",
    "selfcare.backoffice",
    "selfcare.simulators",
    "selfcare.security",
    "selfcare.channels",  # before oauth2_provider: its templates replace the library's
    "oauth2_provider",
    "django_tasks",
    "django_tasks_db",
    "selfcare.background",
]

MIDDLEWARE = [
    "selfcare.security.proxy.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # /oauth/token/ is answered here, around the session, locale, CSRF and page middlewares it has no use for.
    "selfcare.channels.oidc.routing.TokenEndpointMiddleware",
    # /api/ likewise, keeping the language of its error messages and a JSON answer's headers (channels/api/routing.py).
    "selfcare.channels.api.routing.ApiMiddleware",
    "csp.middleware.CSPMiddleware",
    "selfcare.security.headers.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "selfcare.security.lifetime.SessionLifetimeMiddleware",
    "selfcare.security.middleware.SessionRegistryMiddleware",
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
        # The back office's frame (admin/base_site.html) replaces Django admin's, which comes first among the apps.
        "DIRS": [PACKAGE_DIR / "backoffice" / "templates" / "backoffice_frame"],
        "APP_DIRS": True,
        "OPTIONS": {
            # `{% extends %}` that gathers the root template's blocks once (portal/templatetags/kept_extends.py).
            "builtins": ["selfcare.portal.templatetags.kept_extends"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "selfcare.portal.context_processors.brand",
                "selfcare.portal.context_processors.session_info",
                # The demo's hints (a free work number to try), named only here so the portal never imports the demo.
                *(["selfcare.demo.hints.demo_hints"] if SELFCARE_DEMO else []),
            ],
        },
    },
]

# --- Data ---------------------------------------------------------------------------------------------------
DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'selfcare.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the portal read while a write is in flight; the timeout rides out short write locks. IMMEDIATE
    # takes the write lock when a transaction begins: a deferred one that reads first and writes later fails at
    # once with "database is locked" (no waiting) when another process wrote in between, as concurrent token
    # refreshes do.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Django opens psycopg connections with prepare_threshold=None: nothing is ever prepared (for the sake of
    # poolers in transaction mode). Its own cursors bind on the client side and cannot prepare anyway; the token
    # endpoint's one-statement answers bind on the server (channels/oidc/statements.py) and, prepared after five
    # executions on a connection, are neither parsed nor planned again: about half the database's CPU for a code
    # exchange. Off (DATABASE_PREPARED_STATEMENTS=false) only behind a pooler in transaction mode that cannot carry
    # prepared statements (PgBouncer before 1.21).
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
        # Django's own statements bind on the server too (psycopg's Cursor, not its ClientCursor): a query's text is
        # then the same for every value ($1, $2 …), and the ones a connection runs often (every page's session user,
        # registry row, contexts) are prepared after five runs: PostgreSQL's CPU per page less than half, and 3.2 ->
        # 2.3 ms per request under `make load`. A prepared statement may keep a generic plan, made without the values,
        # until an ANALYZE or a change of schema: the dashboard's buckets read kept one made while the buckets table
        # was nearly empty and scanned 600,000 rows for two numbers (the dashboard of four companies of 25,000 went
        # from 14 to 155-249 ms in `make bench`). That read is now planned with its values at every run
        # (selfcare.queries, `planned_with_values`); every other statement of the dashboard and the connection page
        # was as fast or faster generic: that dashboard 8.2-12.1 ms p95 in three runs with binding on, 8.8-19.1 with
        # it off (docs/performance.md, 2026-12-07).
        # Off (DATABASE_SERVER_SIDE_BINDING=false) for Django's statements to bind on the client as before.
        if env.bool("DATABASE_SERVER_SIDE_BINDING", default=True):
            DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL: str = env.str("REDIS_URL", default="")
REDIS_TIMEOUT_SECONDS: float = env.float("REDIS_TIMEOUT_SECONDS", default=2.0)
if REDIS_URL:
    CACHES = {"default": redis_cache(REDIS_URL, timeout=REDIS_TIMEOUT_SECONDS)}
    SESSION_ENGINE = "selfcare.security.session_engines.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "selfcare.security.session_engines.db"

# --- Background work (docs/background-work.md): Django's task API, django-tasks backport --------------------------
# "database" (default: the queue is a table of DATABASE_URL, run by `selfcare worker`; on PostgreSQL also in
# production), "immediate" (run in the caller's process at enqueue: the tests of features) or a backend's dotted path.
TASKS_BACKEND: str = env.str("TASKS_BACKEND", default="database")
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS = {"default": {"BACKEND": _TASK_BACKENDS.get(TASKS_BACKEND, TASKS_BACKEND)}}
# A claimed task whose worker has not finished it this long is given to another worker (selfcare/background/leases.py):
# longer than the longest task, a usage file import.
TASKS_LEASE_SECONDS: int = env.int("TASKS_LEASE_SECONDS", default=1800)
if TASKS_LEASE_SECONDS < 1:
    raise ImproperlyConfigured("TASKS_LEASE_SECONDS must be at least 1.")
# The Register of Enterprises' officers export (officers.csv) the daily task reloads; empty: no daily refresh.
REGISTER_OFFICERS_FILE: str = env.str("REGISTER_OFFICERS_FILE", default="")
# The Register's paid web service with full personal codes (selfcare/mandates/register_service.py, docs/features.md
# "Register of Enterprises"): when its URL is set the daily task asks it instead of reading the export. The path and
# the header are UNCONFIRMED against the real service, hence settings. `make run` points the demo at its simulator.
COMPANY_REGISTER_URL: str = env.str("COMPANY_REGISTER_URL", default="")
COMPANY_REGISTER_API_KEY: str = env.str("COMPANY_REGISTER_API_KEY", default="")
COMPANY_REGISTER_OFFICERS_PATH: str = env.str(
    "COMPANY_REGISTER_OFFICERS_PATH", default="legal-entities/{registration_number}/officers"
)
COMPANY_REGISTER_AUTH_HEADER: str = env.str("COMPANY_REGISTER_AUTH_HEADER", default="Authorization")
COMPANY_REGISTER_TIMEOUT_SECONDS: float = env.float("COMPANY_REGISTER_TIMEOUT_SECONDS", default=10.0)

# --- Language, time -------------------------------------------------------------------------------------------
LANGUAGE_CODE = "lv"
LANGUAGES = [("lv", _("Latvian")), ("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
FORMAT_MODULE_PATH = ["selfcare.formats"]
USE_I18N = True
TIME_ZONE = "Europe/Riga"
USE_TZ = True
LANGUAGE_COOKIE_NAME = "selfcare_language"
LANGUAGE_COOKIE_SECURE = SELFCARE_HTTPS
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static files -----------------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Production serves what collectstatic gathered (hashed names, cached forever). The demo and tests serve the
# packages' files as they are, through WhiteNoise's finders: no collectstatic step before `make run` or a test.
_STATIC_FROM_PACKAGES = DEBUG or SELFCARE_DEMO
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if _STATIC_FROM_PACKAGES
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Private documents (signed powers of attorney, and every other file the portal keeps): one named storage that all of
# them go through (selfcare/storage.py), shared by every portal and worker process. "local": a folder (on several
# machines, a shared volume); "s3": an S3-compatible object store (docs/deployment.md "Documents"). No URL serves it.
DOCUMENTS_STORAGE: str = env.str("DOCUMENTS_STORAGE", default="local")
DOCUMENTS_DIR = Path(env.str("DOCUMENTS_DIR", default=str(VAR_DIR / "documents")))
if DOCUMENTS_STORAGE == "s3":
    from botocore.config import Config as _S3ClientConfig

    STORAGES["documents"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("DOCUMENTS_S3_BUCKET"),
            "endpoint_url": env.str("DOCUMENTS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("DOCUMENTS_S3_REGION", default="") or None,
            "access_key": env.str("DOCUMENTS_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("DOCUMENTS_S3_SECRET_ACCESS_KEY", default="") or None,
            "location": env.str("DOCUMENTS_S3_PREFIX", default=""),
            # Private objects, and the bucket's own policy decides the rest: never a public-read ACL.
            "default_acl": None,
            "querystring_auth": True,
            # Names are server-made and unique: no existence check (a round trip) before each write.
            "file_overwrite": True,
            # "AES256" (the store's keys) or "aws:kms" (with DOCUMENTS_S3_KMS_KEY_ID); empty: the bucket's default.
            "object_parameters": {
                key: value
                for key, value in {
                    "ServerSideEncryption": env.str("DOCUMENTS_S3_ENCRYPTION", default="AES256"),
                    "SSEKMSKeyId": env.str("DOCUMENTS_S3_KMS_KEY_ID", default=""),
                }.items()
                if value
            },
            # A store that does not answer fails the upload in seconds with "try again", not after minutes.
            "client_config": _S3ClientConfig(
                connect_timeout=env.float("DOCUMENTS_S3_TIMEOUT", default=5),
                read_timeout=env.float("DOCUMENTS_S3_TIMEOUT", default=5) * 4,
                retries={"max_attempts": 2, "mode": "standard"},
                signature_version="s3v4",
            ),
        },
    }
elif DOCUMENTS_STORAGE == "local":
    STORAGES["documents"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": str(DOCUMENTS_DIR),
            "directory_permissions_mode": 0o700,
            "file_permissions_mode": 0o600,
        },
    }
else:
    raise ImproperlyConfigured(f"DOCUMENTS_STORAGE must be 'local' or 's3', not {DOCUMENTS_STORAGE!r}")
WHITENOISE_USE_FINDERS = _STATIC_FROM_PACKAGES
if _STATIC_FROM_PACKAGES:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # empty: WhiteNoise warns about a missing one

# --- Sessions and cookies (SECURITY.md "Sessions") ----------------------------------------------------------------
SESSION_IDLE_TIMEOUT_SECONDS: int = env.int("SESSION_IDLE_TIMEOUT_SECONDS", default=30 * 60)
SESSION_ABSOLUTE_TIMEOUT_SECONDS: int = env.int("SESSION_ABSOLUTE_TIMEOUT_SECONDS", default=12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT_SECONDS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = SELFCARE_HTTPS
# The __Host- prefix binds the cookie to this exact host over HTTPS; browsers refuse it on plain HTTP.
SESSION_COOKIE_NAME = "__Host-sessionid" if SELFCARE_HTTPS else "sessionid"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = SELFCARE_HTTPS
CSRF_COOKIE_NAME = "__Host-csrftoken" if SELFCARE_HTTPS else "csrftoken"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", False) else None
# How many proxies of ours stand in front of the portal: the client address is read from X-Forwarded-For that
# many hops from the right (selfcare/security/proxy.py). 0: REMOTE_ADDR is the client.
TRUSTED_PROXY_COUNT: int = env.int("TRUSTED_PROXY_COUNT", default=0)
SECURE_SSL_REDIRECT: bool = env.bool("SECURE_SSL_REDIRECT", default=SELFCARE_HTTPS)
SECURE_HSTS_SECONDS: int = env.int("SECURE_HSTS_SECONDS", default=31536000 if SELFCARE_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SELFCARE_HTTPS
SECURE_HSTS_PRELOAD: bool = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Preloading binds the whole registered domain (every subdomain, for months) to HTTPS in browsers: a decision for
# the operator's domain owners, not for this application, so its deployment warning is off unless they opt in.
SILENCED_SYSTEM_CHECKS: list[str] = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# django-oauth-toolkit flags `http` as an allowed redirect scheme; native apps need it for their loopback listener
# (RFC 8252 §7.3), and selfcare/channels/oidc/redirects.py matches no other `http` address.
SILENCED_SYSTEM_CHECKS.append("oauth2_provider.E003")

AUTH_PASSWORD_VALIDATORS: list[dict[str, str]] = []

# --- Staff (SECURITY.md "Staff"; README "Back office") ---------------------------------------------------------------
# Staff log in with eID like everyone; their roles live in selfcare.access. Nobody logs in with a password: the
# only authentication backend authenticates nothing (eID logins call login() themselves). The break-glass setting,
# for an emergency when no eID works, adds Django's password backend; production then starts with a warning and
# every password login is audited ("access:break-glass:login"). Without it, production refuses to start while a
# staff account has a usable password (selfcare.access.staff.refuse_password_staff, called from wsgi.py).
STAFF_PASSWORD_BREAK_GLASS: bool = env.bool("STAFF_PASSWORD_BREAK_GLASS", default=False)
AUTHENTICATION_BACKENDS = ["selfcare.identity.backends.EidOnlyBackend"]
if STAFF_PASSWORD_BREAK_GLASS:
    AUTHENTICATION_BACKENDS.append("django.contrib.auth.backends.ModelBackend")
STAFF_SESSION_IDLE_TIMEOUT_SECONDS: int = env.int("STAFF_SESSION_IDLE_TIMEOUT_SECONDS", default=15 * 60)
# Four-eyes steps (request and approval) need an eID login at most this old; an older one logs in again first.
STAFF_FRESH_LOGIN_SECONDS: int = env.int("STAFF_FRESH_LOGIN_SECONDS", default=5 * 60)
# Whether a person sees the staff member's name on their security page (by default only the role).
STAFF_NAMES_VISIBLE: bool = env.bool("STAFF_NAMES_VISIBLE", default=False)

# Where the simulator service (`selfcare simulators`, selfcare/simulators/urls.py) answers, in the demo and tests:
# each provider's URL setting left empty defaults to its simulator there. Never used outside the demo.
SELFCARE_SIMULATORS_URL: str = env.str("SELFCARE_SIMULATORS_URL", default="http://127.0.0.1:8001").rstrip("/")
# How long a connection to an outside system stays in the pool unused (selfcare/outbound.py): below the shortest
# keep-alive of the servers called (gunicorn's default is 2 s), so no request is sent on a connection being closed.
OUTBOUND_KEEPALIVE_SECONDS: float = env.float("OUTBOUND_KEEPALIVE_SECONDS", default=1.5)
# Where the portal answers, for the simulators' links and redirects back to it (the eParaksts callback, the
# banks' return address come from the portal's own requests; this is for the pages a person opens by hand).
SELFCARE_PORTAL_URL: str = env.str("SELFCARE_PORTAL_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Bills: the operator's billing system, TMF678 Customer Bill Management (docs/billing.md) ------------------------
# Empty means the demo's simulator (SELFCARE_SIMULATORS_URL); production must name the real API over https.
BILLING_API_URL: str = env.str("BILLING_API_URL", default="")
BILLING_API_TOKEN: str = env.str("BILLING_API_TOKEN", default="")
BILLING_TIMEOUT_SECONDS: float = env.float("BILLING_TIMEOUT_SECONDS", default=10.0)

# --- eID: Smart-ID (README "Smart-ID") ------------------------------------------------------------------------------
SELFCARE_PKI_DIR = Path(env.str("SELFCARE_PKI_DIR", default=str(VAR_DIR / "pki")))
SMARTID_API_URL: str = env.str("SMARTID_API_URL", default="")
SMARTID_RP_UUID: str = env.str("SMARTID_RP_UUID", default="")
SMARTID_RP_NAME: str = env.str("SMARTID_RP_NAME", default="DEMO")


def _demo_pki(name: str) -> str:
    """In the demo, a file of the test PKI (selfcare/simulators/pki/demo.py makes them): the demo names its trust
    anchors and keys as an operator names real ones; outside it nothing."""
    return str(SELFCARE_PKI_DIR / name) if SELFCARE_DEMO else ""


SMARTID_TRUSTED_CA: str = env.str("SMARTID_TRUSTED_CA", default=_demo_pki("root-ca.pem"))
SMARTID_INTERMEDIATE_CA: str = env.str("SMARTID_INTERMEDIATE_CA", default=_demo_pki("smartid-issuing-ca.pem"))
SMARTID_CERTIFICATE_LEVEL: str = env.str("SMARTID_CERTIFICATE_LEVEL", default="QUALIFIED")
SMARTID_HASH_ALGORITHM: str = env.str("SMARTID_HASH_ALGORITHM", default="SHA-512")
# What verification supports (smartid/verification.py _HASHES; a test keeps the two equal). SK also lists SHA3-*,
# which the portal cannot verify yet: refused at start rather than at the first login.
SMARTID_HASH_ALGORITHMS = ("SHA-256", "SHA-384", "SHA-512")
if SMARTID_HASH_ALGORITHM not in SMARTID_HASH_ALGORITHMS:
    raise ImproperlyConfigured(f"SMARTID_HASH_ALGORITHM must be one of {', '.join(SMARTID_HASH_ALGORITHMS)}.")
SMARTID_SCHEME_NAME: str = env.str("SMARTID_SCHEME_NAME", default="smart-id")
SMARTID_CONNECT_TIMEOUT: float = env.float("SMARTID_CONNECT_TIMEOUT", default=5.0)
SMARTID_POLL_TIMEOUT_MS: int = env.int("SMARTID_POLL_TIMEOUT_MS", default=1000)
SMARTID_SESSION_TIMEOUT_SECONDS: int = env.int("SMARTID_SESSION_TIMEOUT_SECONDS", default=120)
SMARTID_TLS_PINS: str = env.str("SMARTID_TLS_PINS", default="")
# Signing (RP API v3 signature flow). PROTOCOLS.md does not cover it: the paths follow SK's v3 clients and the
# policy OIDs that prove a qualified signing certificate are UNCONFIRMED for current certificates, so both are
# configuration.
SMARTID_SIGNING_PATHS: dict[str, str] = {
    "certificate_choice": env.str(
        "SMARTID_CERTIFICATE_CHOICE_PATH", default="signature/certificate-choice/notification/etsi/{identifier}"
    ),
    "signature": env.str("SMARTID_SIGNATURE_PATH", default="signature/notification/document/{document_number}"),
    # The device link: the person scans a QR code to choose their certificate, then the signature request goes to
    # that same app as a notification "linked" to the certificate choice's session.
    "certificate_choice_device_link": env.str(
        "SMARTID_CERTIFICATE_CHOICE_DEVICE_LINK_PATH", default="signature/certificate-choice/device-link/anonymous"
    ),
    "linked_signature": env.str(
        "SMARTID_LINKED_SIGNATURE_PATH", default="signature/notification/linked/{document_number}"
    ),
}
# The device link's sessionType for the certificate choice (PROTOCOLS.md has only "auth"): UNCONFIRMED.
SMARTID_SIGNING_DEVICE_LINK_SESSION_TYPE: str = env.str("SMARTID_SIGNING_DEVICE_LINK_SESSION_TYPE", default="cert")
SMARTID_SIGNING_QUALIFIED_OIDS: list[str] = env.list("SMARTID_SIGNING_QUALIFIED_OIDS", default=["0.4.0.2042.1.2"])
# SK recommends the device link (QR, Web2App) and push notifications only from a browser the person used before
# (their known-device cookie). During a transition an operator may keep the push login for everyone.
SMARTID_PUSH_FOR_EVERYONE: bool = env.bool("SMARTID_PUSH_FOR_EVERYONE", default=False)
# Demo simulator only (`make load`): demo persons whose simulated phone confirms by itself.
SMARTID_SIM_AUTO_CONFIRM: list[str] = env.list("SMARTID_SIM_AUTO_CONFIRM", default=[])

# --- Revocation of eID and signer certificates (README "Configuration"): OCSP first, CRL fallback ------------------
# "hard" (default): no usable answer = refused; "soft" tolerates an unavailable status (explicit choice only).
REVOCATION_MODE: str = env.str("REVOCATION_MODE", default="hard")
REVOCATION_TIMEOUT_SECONDS: float = env.float("REVOCATION_TIMEOUT_SECONDS", default=5.0)
REVOCATION_CACHE_MAX_SECONDS: int = env.int("REVOCATION_CACHE_MAX_SECONDS", default=3600)
if REVOCATION_MODE not in ("hard", "soft"):
    raise ImproperlyConfigured("REVOCATION_MODE must be 'hard' (the default: no answer = refused) or 'soft'.")
# OCSP and CRL addresses fetched from another base ("http://named=http://fetched", comma-separated): an operator's
# caching proxy. The demo's test PKI names a host that exists nowhere; the simulator service answers for it.
REVOCATION_URL_MAP: dict[str, str] = dict(
    item.split("=", 1)
    for item in env.list(
        "REVOCATION_URL_MAP",
        default=[f"http://pki.selfcare.test={SELFCARE_SIMULATORS_URL}/simulators/pki"] if SELFCARE_DEMO else [],
    )
)
# Demo simulator only: make the test PKI's OCSP responder / CRLs answer 503.
SIMULATOR_PKI_OCSP_DOWN: bool = env.bool("SIMULATOR_PKI_OCSP_DOWN", default=False)
SIMULATOR_PKI_CRL_DOWN: bool = env.bool("SIMULATOR_PKI_CRL_DOWN", default=False)

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
# SHA-256 (hex) of the platform's TLS certificates; required in production when eParaksts is configured.
EPARAKSTS_TLS_PINS: str = env.str("EPARAKSTS_TLS_PINS", default="")
EPARAKSTS_STATE_MAX_AGE_SECONDS: int = env.int("EPARAKSTS_STATE_MAX_AGE_SECONDS", default=600)
# Signing with eParaksts (docs/signing.md): the platform's signature API, two authorizations (the person's signing
# identities, then their consent to one digest) and a raw signature of that digest. PROTOCOLS.md lists only the
# signing scopes; the paths, the digest summary's algorithm name and the signature algorithm follow third-party
# clients of the TrustedX eIDAS platform (UNCONFIRMED), so each is configuration.
EPARAKSTS_SIGN_SCOPE_PROFILE: str = env.str(
    "EPARAKSTS_SIGN_SCOPE_PROFILE", default="urn:safelayer:eidas:sign:identity:profile"
)
EPARAKSTS_SIGN_SCOPE_USE: str = env.str(
    "EPARAKSTS_SIGN_SCOPE_USE", default="urn:safelayer:eidas:sign:identity:use:server"
)
EPARAKSTS_SIGN_IDENTITIES_PATH: str = env.str(
    "EPARAKSTS_SIGN_IDENTITIES_PATH", default="/trustedx-resources/esigp/v1/sign_identities"
)
EPARAKSTS_SIGN_RAW_PATH: str = env.str(
    "EPARAKSTS_SIGN_RAW_PATH", default="/trustedx-resources/esigp/v1/signatures/server/raw"
)
EPARAKSTS_SIGN_ALGORITHM: str = env.str("EPARAKSTS_SIGN_ALGORITHM", default="rsa-sha256")
EPARAKSTS_DIGESTS_SUMMARY_ALGORITHM: str = env.str("EPARAKSTS_DIGESTS_SUMMARY_ALGORITHM", default="SHA256")
# The exact signing callback URL registered with LVRTC (empty in the demo: the portal's own URL is used).
EPARAKSTS_SIGN_REDIRECT_URI: str = env.str("EPARAKSTS_SIGN_REDIRECT_URI", default="")
# --- eID: EU Digital Identity Wallet (docs/eudi-wallet.md) --------------------------------------------------------
# Our access certificate (leaf first, then its issuers) and its EC P-256 key, issued to us as a registered relying
# party; the PID providers we trust (their signing certificates or CAs); where wallets are invoked.
WALLET_ACCESS_CERTIFICATE: str = env.str("WALLET_ACCESS_CERTIFICATE", default=_demo_pki("wallet-access.pem"))
WALLET_ACCESS_KEY: str = env.str("WALLET_ACCESS_KEY", default=_demo_pki("wallet-access.key.pem"))
WALLET_TRUSTED_PID_PROVIDERS: str = env.str(
    "WALLET_TRUSTED_PID_PROVIDERS", default=_demo_pki("wallet-trusted-pid-providers.pem")
)
# openid4vp:// opens the wallet app on the person's phone; empty in the demo, where it means the simulator's page.
WALLET_INVOCATION_URL: str = env.str("WALLET_INVOCATION_URL", default="" if SELFCARE_DEMO else "openid4vp://")
WALLET_MAX_AGE_SECONDS: int = env.int("WALLET_MAX_AGE_SECONDS", default=300)
WALLET_STATUS_TIMEOUT: float = env.float("WALLET_STATUS_TIMEOUT", default=5.0)
# --- eID: bank links (README "Bank links"): BANKLINK_<BANK>_<FIELD>, read by identity/methods/banklink/profiles.py --
# The demo's keys: ours and each simulated bank's certificate, from the test PKI.
_BANKLINK_DEMO_FILES = {
    "PRIVATE_KEY": "banklink-portal.key.pem",
    "CERTIFICATE": "banklink-portal.pem",
    "BANK_CERTIFICATE": "banklink-{bank}.pem",
}
BANKLINK: dict[str, dict[str, str]] = {
    bank: {
        name: env.str(
            f"BANKLINK_{bank.upper()}_{name}",
            default=_demo_pki(_BANKLINK_DEMO_FILES[name].format(bank=bank)) if name in _BANKLINK_DEMO_FILES else "",
        )
        for name in (
            "URL",
            "SENDER_ID",
            "PRIVATE_KEY",
            "CERTIFICATE",
            "BANK_CERTIFICATE",
            "HASH",
            "ALLOW_SHA1",
            "C14N",
            "PROFILE",
        )
    }
    for bank in ("swedbank", "seb", "citadele", "luminor")
}

LOGIN_URL = "portal:login"

# --- Signed documents: power-of-attorney uploads (README "Signed documents") -----------------------------------------
# PEM files or directories of *.pem (comma-separated): the CAs whose signatures on uploaded documents count.
SIGNED_DOCUMENT_TRUST_ANCHORS: str = env.str("SIGNED_DOCUMENT_TRUST_ANCHORS", default=_demo_pki("root-ca.pem"))
# Signing in the portal (docs/signing.md): the RFC 3161 time-stamping authority whose timestamp, with the revocation
# data of the signer's and the TSA's certificates, makes a signature long-term valid (PAdES B-LT). Empty: the demo
# uses the test PKI's TSA on the simulator service; outside the demo, no timestamp (B-B).
SIGNING_TSA_URL: str = env.str("SIGNING_TSA_URL", default="")
SIGNED_DOCUMENT_MAX_BYTES: int = env.int("SIGNED_DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)

# --- Number binding: one-time codes by SMS (SECURITY.md "One-time codes") --------------------------------------------
OTP_VALIDITY_SECONDS: int = env.int("OTP_VALIDITY_SECONDS", default=600)
OTP_MAX_PER_NUMBER_PER_DAY: int = env.int("OTP_MAX_PER_NUMBER_PER_DAY", default=5)
# One person's own requests for one number: counted apart from the number's cap, so that one person cannot spend
# the number's budget and lock the rightful employee out for a day (the number's cap counts the others' sends).
OTP_MAX_PER_PERSON_AND_NUMBER_PER_DAY: int = env.int("OTP_MAX_PER_PERSON_AND_NUMBER_PER_DAY", default=3)
if not 1 <= OTP_MAX_PER_PERSON_AND_NUMBER_PER_DAY < OTP_MAX_PER_NUMBER_PER_DAY:
    raise ImproperlyConfigured(
        "OTP_MAX_PER_PERSON_AND_NUMBER_PER_DAY must be at least 1 and below OTP_MAX_PER_NUMBER_PER_DAY: otherwise one "
        "person could spend a number's daily codes and lock its user out."
    )
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

# --- Rate limits (README "Rate limits"): "count/seconds" each; Redis when REDIS_URL is set, else the database ---------
RATE_LIMITS: dict[str, tuple[int, int]] = {
    name: parse_rate(env.str(f"RATELIMIT_{name.upper().replace('-', '_')}", default=default))
    for name, default in {
        "login-address": "30/600",  # eID login starts from one network address
        "login-code": "10/600",  # eID login starts for one personal code (Smart-ID, where one is typed)
        "otp-address": "30/3600",  # work-number code requests and checks from one address (per person: binding)
        "upload-identity": "20/3600",  # document uploads by one person
        "api-token": "600/60",  # app API calls with one token
    }.items()
}
RATELIMIT_KEY_PREFIX: str = env.str("RATELIMIT_KEY_PREFIX", default="selfcare:rl:")

# --- Sessions and devices (README "Sessions and notifications") -------------------------------------------------------
# A login from a browser without this person's device cookie is announced: "sms" (bound work number, else a
# private number) and/or "email" (the address the person gave on their security page); empty: never.
NEW_DEVICE_NOTIFY: list[str] = env.list("NEW_DEVICE_NOTIFY", default=["sms"])
DEVICE_COOKIE_NAME = "__Host-selfcare_device" if SELFCARE_HTTPS else "selfcare_device"
DEVICE_COOKIE_AGE_SECONDS: int = env.int("DEVICE_COOKIE_AGE_SECONDS", default=400 * 24 * 60 * 60)

# --- Powers of attorney (README "Powers of attorney") ----------------------------------------------------------------
MANDATE_MAX_TERM_MONTHS: int = env.int("MANDATE_MAX_TERM_MONTHS", default=12)
# A verified in-portal submission (signed by enough representatives) activates without a back-office review.
MANDATE_AUTO_ACTIVATE_VERIFIED: bool = env.bool("MANDATE_AUTO_ACTIVATE_VERIFIED", default=False)

# --- E-mail (activation notices): EMAIL_URL as django-environ reads it, e.g. smtp+tls://user:pass@host:587 ----------
_email = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG or SELFCARE_DEMO else "smtp://localhost:25")
EMAIL_BACKEND: str = _email["EMAIL_BACKEND"]
EMAIL_HOST: str = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT: int = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER: str = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD: str = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS: bool = bool(_email.get("EMAIL_USE_TLS"))
EMAIL_USE_SSL: bool = bool(_email.get("EMAIL_USE_SSL"))
DEFAULT_FROM_EMAIL: str = env.str("DEFAULT_FROM_EMAIL", default="noreply@localhost")
# --- OpenID Connect provider and the app API (SECURITY.md "OpenID Connect provider"; README "OpenID Connect") ------
# Every django-oauth-toolkit default that breaks SECURITY.md is overridden here or in selfcare/channels/oidc/, and
# each override has a test in selfcare/channels/tests/test_oidc_conformance.py.
OIDC_SIGNING_KEY_PATH = Path(env.str("OIDC_SIGNING_KEY_PATH", default=str(VAR_DIR / "oidc-signing-key.pem")))
# The demo and development make their signing keys into var/ at first start; production names its own files.
_KEYS_MADE_HERE = DEBUG or SELFCARE_DEMO
# ES256 (P-256) ID tokens for the clients named in OIDC_ES256_CLIENTS (our own apps, which verify ES256); every other
# client keeps RS256. The key is generated into var/ only for the demo and tests, like the RSA key.
OIDC_EC_SIGNING_KEY_PATH = Path(
    env.str("OIDC_EC_SIGNING_KEY_PATH", default=str(VAR_DIR / "oidc-signing-key-p256.pem") if _KEYS_MADE_HERE else "")
)
OIDC_EC_PRIVATE_KEY: str = ec_signing_key_pem(OIDC_EC_SIGNING_KEY_PATH, generate=_KEYS_MADE_HERE)
OIDC_ES256_CLIENTS: list[str] = env.list("OIDC_ES256_CLIENTS", default=["tele2-app-demo"] if SELFCARE_DEMO else [])
if OIDC_ES256_CLIENTS and not OIDC_EC_PRIVATE_KEY:
    raise ImproperlyConfigured(
        "OIDC_ES256_CLIENTS names clients but OIDC_EC_SIGNING_KEY_PATH is no P-256 key file: create one (openssl "
        "genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out oidc-signing-key-p256.pem) and name it."
    )
# Pairwise subjects are an HMAC of the identity with this key: changing it changes every subject every client knows.
OIDC_PAIRWISE_KEY: str = env.str("OIDC_PAIRWISE_KEY", default=SECRET_KEY)
OIDC_ISSUER: str = env.str("OIDC_ISSUER", default="")
OIDC_REFRESH_TOKEN_ABSOLUTE_SECONDS: int = env.int("OIDC_REFRESH_TOKEN_ABSOLUTE_SECONDS", default=30 * 24 * 60 * 60)
OIDC_USERINFO_MAX_ASSETS: int = env.int("OIDC_USERINFO_MAX_ASSETS", default=1000)
# Named explicitly: migrations that point at a swappable model need the setting to exist.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER: dict[str, object] = {
    "OIDC_ENABLED": True,
    "OIDC_ISS_ENDPOINT": OIDC_ISSUER,
    # Generated into var/ only for the demo and tests; production refuses to start without the file (config.py).
    "OIDC_RSA_PRIVATE_KEY": signing_key_pem(OIDC_SIGNING_KEY_PATH, generate=_KEYS_MADE_HERE),
    "OAUTH2_VALIDATOR_CLASS": "selfcare.channels.oidc.validator.Validator",
    "OIDC_SERVER_CLASS": "selfcare.channels.oidc.server.Server",
    "SCOPES": {
        "openid": _("Who you are (your digital identity)"),
        "profile": _("Your name and the contexts you act in"),
        "connections": _("Your connections and your role on each"),
        "binding": _("Binding a work number to you"),
        "usage": _("What is left and what you used on your connections"),
        "offers": _("Tele2 Komplimenti offers: see them and claim them"),
        "mandates": _("Your companies' powers of attorney (read only)"),
        "orders": _("Orders for your connections: plans, packs, barrings, SIM; see and place them"),
        "bills": _("Your bills and your companies' bills (read only)"),
        "spend": _("Extra charges so far and spend caps of your connections (read only)"),
    },
    "DEFAULT_SCOPES": ["openid"],
    # Default 60 already; stated because SECURITY.md caps it (10.4.3).
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ACCESS_TOKEN_EXPIRE_SECONDS": env.int("OIDC_ACCESS_TOKEN_SECONDS", default=600),  # default 36000
    "ID_TOKEN_EXPIRE_SECONDS": env.int("OIDC_ACCESS_TOKEN_SECONDS", default=600),  # default 36000
    # Default None: refresh tokens never expired. This one slides with use; the absolute limit is
    # OIDC_REFRESH_TOKEN_ABSOLUTE_SECONDS, counted from the eID login (selfcare/channels/oidc/validator.py).
    "REFRESH_TOKEN_EXPIRE_SECONDS": env.int("OIDC_REFRESH_TOKEN_IDLE_SECONDS", default=14 * 24 * 60 * 60),
    "ROTATE_REFRESH_TOKEN": True,
    # 256 bits from the OS in one call, where oauthlib's default makes 30 calls for ~181 bits (tokens.py).
    "ACCESS_TOKEN_GENERATOR": "selfcare.channels.oidc.tokens.new_token",
    "REFRESH_TOKEN_GENERATOR": "selfcare.channels.oidc.tokens.new_token",
    "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 0,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,  # default False: a replayed refresh token revokes its family
    "PKCE_REQUIRED": True,
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],  # default: implicit and hybrid too
    "OIDC_SUBJECT_TYPES_SUPPORTED": ["pairwise"],  # default "public": the user's primary key
    "OIDC_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED": ["none", "client_secret_basic"],
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    # Without a prompt only when the RP proves the session with an id_token_hint of the logged-in person.
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": True,  # default False
    "OIDC_RP_INITIATED_LOGOUT_DELETE_TOKENS": True,
    "REQUEST_APPROVAL_PROMPT": "auto",
    # RFC 9700 gates, all off by default in django-oauth-toolkit 3.x.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,  # tokens stored only as SHA-256 (SECURITY.md 16.2.5)
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
}
# Usage and remaining data (selfcare/usage/): how volumes are shown, and the EU roaming (RLAH) wholesale caps.
USAGE_VOLUME_UNIT: str = env.str("USAGE_VOLUME_UNIT", default="decimal")
USAGE_VOLUME_STEP_MB: int = env.int("USAGE_VOLUME_STEP_MB", default=100)
USAGE_RLAH_CAPS_EUR_PER_GB: str = env.str(
    "USAGE_RLAH_CAPS_EUR_PER_GB", default="2022:2.00,2023:1.80,2024:1.55,2025:1.30,2026:1.10,2027:1.00"
)
# Rows of a usage file per transaction: its counters are written once per batch, so larger batches cost the database
# less (a million rows: about half of its work at 200,000), for memory held until the batch commits (the batch's
# events, about 370 MB more at a million than at 200,000; docs/performance.md).
USAGE_IMPORT_BATCH_ROWS: int = env.int("USAGE_IMPORT_BATCH_ROWS", default=1_000_000)
USAGE_FEED_MAX_EVENTS: int = env.int("USAGE_FEED_MAX_EVENTS", default=10000)
# A company's data summary on the dashboard (selfcare/usage/summaries.py) is summed again at most this long after it
# was: changes mark it stale at once, but a cycle or a bucket also ends by time alone. Refreshed every minute.
USAGE_SUMMARY_MAX_AGE_SECONDS: int = env.int("USAGE_SUMMARY_MAX_AGE_SECONDS", default=300)
# Months of usage events kept on PostgreSQL (the current one included; 0: for ever). Older monthly partitions are
# dropped by a daily task; daily totals and buckets stay (selfcare/usage/partitions.py).
USAGE_EVENT_RETENTION_MONTHS: int = env.int("USAGE_EVENT_RETENTION_MONTHS", default=0)
if USAGE_EVENT_RETENTION_MONTHS != 0 and USAGE_EVENT_RETENTION_MONTHS < 2:
    raise ImproperlyConfigured(
        "USAGE_EVENT_RETENTION_MONTHS must be 0 (keep usage events for ever) or at least 2: a billing cycle spans two "
        "calendar months, and its events must stay while a replay of them can still arrive."
    )
# Roaming outside the EU/EEA is priced by zone (selfcare/usage/world_zones.py, docs/spend.md): the visited countries
# (ISO 3166-1 alpha-2, comma-separated) of world zones 1 and 2; every other country is the rest of the world. These
# defaults are an example (non-EU Europe; North America): the lists are the operator's.
USAGE_WORLD_ZONE_1_COUNTRIES: str = env.str(
    "USAGE_WORLD_ZONE_1_COUNTRIES", default="AD,AL,BA,CH,FO,GB,GG,GI,IM,JE,MC,MD,ME,MK,RS,SM,TR,UA,VA"
)
USAGE_WORLD_ZONE_2_COUNTRIES: str = env.str("USAGE_WORLD_ZONE_2_COUNTRIES", default="CA,US")
for _setting, _countries in (
    ("USAGE_WORLD_ZONE_1_COUNTRIES", USAGE_WORLD_ZONE_1_COUNTRIES),
    ("USAGE_WORLD_ZONE_2_COUNTRIES", USAGE_WORLD_ZONE_2_COUNTRIES),
):
    if not re.fullmatch(r"\s*([A-Za-z]{2}\s*(,\s*[A-Za-z]{2}\s*)*)?", _countries):
        raise ImproperlyConfigured(f"{_setting} must be ISO 3166-1 alpha-2 codes separated by commas, like CH,GB,TR.")
_both = {c.strip().upper() for c in USAGE_WORLD_ZONE_1_COUNTRIES.split(",") if c.strip()} & {
    c.strip().upper() for c in USAGE_WORLD_ZONE_2_COUNTRIES.split(",") if c.strip()
}
if _both:
    raise ImproperlyConfigured(f"A country is in one world zone only: {', '.join(sorted(_both))} is in both.")
# The clock whose midnights start billing cycles and the days usage is counted on (selfcare/usage/cycles.py).
BILLING_TIME_ZONE: str = env.str("BILLING_TIME_ZONE", default="Europe/Riga")
try:
    ZoneInfo(BILLING_TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError) as error:
    raise ImproperlyConfigured(
        f"BILLING_TIME_ZONE must name a time zone such as Europe/Riga or UTC, not {BILLING_TIME_ZONE!r}."
    ) from error
if USAGE_VOLUME_UNIT not in ("decimal", "binary"):
    raise ImproperlyConfigured("USAGE_VOLUME_UNIT must be 'decimal' (1 GB = 1000³ bytes) or 'binary' (1 GiB = 1024³).")
if USAGE_VOLUME_STEP_MB < 1:
    raise ImproperlyConfigured("USAGE_VOLUME_STEP_MB must be a whole number of megabytes, at least 1.")

# --- Orders to the operator's systems (docs/ordering.md): TMF622 ordering, TMF620 catalogue ---------------------------
# In the demo every URL defaults to the simulator (selfcare/simulators/tmf/) at SELFCARE_SIMULATORS_URL and the callback
# to the portal at SELFCARE_PORTAL_URL; outside the demo they must be set, and the demo's public secrets are refused
# (selfcare/orders/config.py, checked at start).
ORDERING_API_URL: str = env.str("ORDERING_API_URL", default="")
CATALOGUE_API_URL: str = env.str("CATALOGUE_API_URL", default="")
# TMF639 resource inventory: where a SIM's PUK is read (shown after a fresh eID login, audited).
SIM_INVENTORY_API_URL: str = env.str("SIM_INVENTORY_API_URL", default="")
PUK_FRESH_LOGIN_SECONDS: int = env.int("PUK_FRESH_LOGIN_SECONDS", default=300)
ORDERING_API_TOKEN: str = env.str("ORDERING_API_TOKEN", default="")
# Where the operator posts order events (our callback) and the shared secret of their HMAC-SHA256 signature.
ORDERING_CALLBACK_URL: str = env.str("ORDERING_CALLBACK_URL", default="")
ORDERING_CALLBACK_SECRET: str = env.str("ORDERING_CALLBACK_SECRET", default="")
# Register the callback with the ordering system's hub (POST {ORDERING_API_URL}hub) before the first order.
ORDERING_REGISTER_HUB: bool = env.bool("ORDERING_REGISTER_HUB", default=True)
ORDERING_TIMEOUT_SECONDS: float = env.float("ORDERING_TIMEOUT_SECONDS", default=10.0)
# Polling, the fallback when no event came: an open order is asked for again after this many seconds.
ORDERING_POLL_SECONDS: int = env.int("ORDERING_POLL_SECONDS", default=30)
# The operator's reason codes (errorMessage.code) → the reasons the portal says in lv/en/ru (selfcare/orders/reasons.py
# REASONS), e.g. "CONTRACT_CHANGE_PENDING=contract-change-pending,NETWORK_TIMEOUT=network". The default is the
# simulator's codes; an operator's real codes are theirs to list. An unmapped code shows the operator's own text.
ORDERING_REASON_CODES: dict[str, str] = env.dict(
    "ORDERING_REASON_CODES",
    default={
        "CONTRACT_CHANGE_PENDING": "contract-change-pending",
        "OFFER_NOT_FOR_SEGMENT": "not-for-segment",
        "NETWORK_TIMEOUT": "network",
        "NOT_ELIGIBLE": "not-eligible",
        "PORTING_REFUSED": "porting-refused",
    },
)
# New connections (docs/ordering.md "New connections"): the operators a number can be kept from (ported in), their
# names as the operator's order system knows them; the porting date's window in days from today; the limits on open
# orders (drafts and orders the operator has not finished) per person and per company; how many orders may name the
# same delivery address in NEW_CONNECTION_ADDRESS_DAYS before each further one is flagged to the back office; how long
# an eSIM may stay not ready before the order goes to the back office.
NEW_CONNECTION_DONOR_OPERATORS: list[str] = env.list("NEW_CONNECTION_DONOR_OPERATORS", default=["LMT", "Bite", "Tet"])
NEW_CONNECTION_PORTING_MIN_DAYS: int = env.int("NEW_CONNECTION_PORTING_MIN_DAYS", default=1)
NEW_CONNECTION_PORTING_MAX_DAYS: int = env.int("NEW_CONNECTION_PORTING_MAX_DAYS", default=60)
NEW_CONNECTION_MAX_OPEN_PER_PERSON: int = env.int("NEW_CONNECTION_MAX_OPEN_PER_PERSON", default=5)
NEW_CONNECTION_MAX_OPEN_PER_COMPANY: int = env.int("NEW_CONNECTION_MAX_OPEN_PER_COMPANY", default=20)
NEW_CONNECTION_ADDRESS_MAX_ORDERS: int = env.int("NEW_CONNECTION_ADDRESS_MAX_ORDERS", default=3)
NEW_CONNECTION_ADDRESS_DAYS: int = env.int("NEW_CONNECTION_ADDRESS_DAYS", default=30)
NEW_CONNECTION_ESIM_TIMEOUT_MINUTES: int = env.int("NEW_CONNECTION_ESIM_TIMEOUT_MINUTES", default=60)
CATALOGUE_CACHE_SECONDS: int = env.int("CATALOGUE_CACHE_SECONDS", default=300)
# A company's itemised usage export of at most this many records is written during the request; a bigger one by a
# worker, its progress shown on the page (docs/spend.md).
COMPANY_EXPORT_DIRECT_ROWS: int = env.int("COMPANY_EXPORT_DIRECT_ROWS", default=20000)
# The catalogue's product offering that bars chargeable services (out-of-bundle use, premium numbers, roaming outside
# the EU): ordered when a spend cap whose owner chose "bar" is reached, removed when the cycle ends (docs/spend.md).
SPEND_CAP_BARRING_OFFERING: str = env.str("SPEND_CAP_BARRING_OFFERING", default="bar-chargeable-services")
# Demo simulator only: how long an ordinary order takes from acknowledged to completed.
SIMULATOR_TMF_ORDER_SECONDS: float = env.float("SIMULATOR_TMF_ORDER_SECONDS", default=3.0)

# --- Brand (the brand is configuration, not code) -------------------------------------------------------------------
BRAND = brand_from_env(env)

# --- Content-Security-Policy (README "Security headers"), served by django-csp ----------------------------------------
CONTENT_SECURITY_POLICY = content_security_policy(
    # In the demo the banks and eParaksts are the simulator service: their pages take the portal's forms.
    form_targets=[
        EPARAKSTS_URL,
        *(bank["URL"] for bank in BANKLINK.values()),
        *([SELFCARE_SIMULATORS_URL] if SELFCARE_DEMO else []),
    ],
    image_sources=[BRAND.logo_url],
    font_sources=[BRAND.font_url],
    upgrade=SELFCARE_HTTPS,
    report_uri=env.str("CSP_REPORT_URI", default=""),
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
