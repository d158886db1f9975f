"""Configuration helpers that settings.py uses, kept apart so they can be tested without loading Django.

The refusal of unsafe production settings lives here: a portal that answers to a real host name must not run the
demo (its simulators would let anyone "authenticate") nor sign sessions with the development key that is public in
this repository. The demo runs with DEBUG off, as production does, but only on loopback addresses.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509

DEV_SECRET_KEY = "insecure-development-key-for-local-demo-only"  # noqa: S105 - public on purpose, refused in production
_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# The host names of one machine talking to itself (and Django's test client): the only ones the demo answers to.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]", "testserver")


def pem_files(value: str) -> list[Path]:
    """The files a comma-separated list of PEM files and directories (their *.pem) names."""
    files: list[Path] = []
    for item in (p.strip() for p in value.split(",")):
        if not item:
            continue
        path = Path(item)
        files.extend(sorted(path.glob("*.pem")) if path.is_dir() else [path])
    return files


def trust_anchor_problem(value: str) -> str | None:
    """What is wrong with SIGNED_DOCUMENT_TRUST_ANCHORS, or None. Checked at start-up in production: otherwise
    the first power of attorney uploaded would find out, as an error page in front of a customer."""
    fix = (
        "Set SIGNED_DOCUMENT_TRUST_ANCHORS to the PEM file(s) or directory of the CA certificates whose signatures "
        "on uploaded documents count (for eParaksts: LVRTC's roots)."
    )
    if not value.strip():
        return f"SIGNED_DOCUMENT_TRUST_ANCHORS is empty: no signed power of attorney could be checked. {fix}"
    missing = [item.strip() for item in value.split(",") if item.strip() and not Path(item.strip()).exists()]
    if missing:
        return f"SIGNED_DOCUMENT_TRUST_ANCHORS names what does not exist: {', '.join(missing)}. {fix}"
    found = 0
    for path in pem_files(value):
        try:
            found += len(x509.load_pem_x509_certificates(path.read_bytes()))
        except (OSError, ValueError) as error:
            return f"SIGNED_DOCUMENT_TRUST_ANCHORS: {path} is not a readable PEM certificate file ({error}). {fix}"
    if not found:
        return f"SIGNED_DOCUMENT_TRUST_ANCHORS names no certificate (a directory without *.pem files?). {fix}"
    return None


def production_problems(
    *,
    debug: bool,
    demo: bool,
    secret_key: str,
    https: bool = True,
    allowed_hosts: Sequence[str] = (),
    sms_backend: str = "outbox",
    oidc_signing_key: str = "",
    trust_anchors: str = "",
    smartid_tls_pins: str = "",
    eparaksts_client_id: str = "",
    eparaksts_tls_pins: str = "",
    redis_url: str = "redis://",
) -> list[str]:
    """What is unsafe about these settings when DEBUG is off, each with the variable to set; empty when safe.

    The demo (SELFCARE_DEMO) is not production: its own keys, outbox and test anchors are fine, but it must not
    answer to any host beyond this machine, so that a demo switched on by mistake in a deployment refuses to start.
    """
    if debug:
        return []
    if demo:
        outside = [host for host in allowed_hosts if host not in LOOPBACK_HOSTS]
        if outside or not allowed_hosts:
            return [
                "SELFCARE_DEMO is on and ALLOWED_HOSTS names "
                + (", ".join(outside) if outside else "no host")
                + ": the demo data and eID simulators must never run in production, so the demo answers only on "
                f"{', '.join(LOOPBACK_HOSTS)}. Set SELFCARE_DEMO=false."
            ]
        return []
    problems = []
    if not https:
        problems.append(
            "SELFCARE_HTTPS is off: cookies would travel without Secure over plain http. Serve the portal over "
            "HTTPS (BEHIND_TLS_PROXY=true behind a TLS proxy) and leave SELFCARE_HTTPS unset."
        )
    if secret_key == DEV_SECRET_KEY or len(secret_key) < 50 or secret_key.startswith("test-only-"):
        problems.append(
            "SECRET_KEY is the development default or too short. Set SECRET_KEY to a random string of at least "
            '50 characters, e.g. python -c "import secrets; print(secrets.token_urlsafe(64))".'
        )
    if sms_backend == "outbox":
        problems.append(
            "SMS_BACKEND is the outbox: one-time codes would never reach a phone. Set SMS_BACKEND=smpp (with "
            "SMS_SMPP_*) or SMS_BACKEND=http (with SMS_HTTP_*)."
        )
    if not oidc_signing_key or not os.path.isfile(oidc_signing_key):
        problems.append(
            "OIDC_SIGNING_KEY_PATH does not name a file: the OpenID provider signs ID tokens with it, and a key made "
            "up at start would change at every restart. Create one (openssl genpkey -algorithm RSA -pkeyopt "
            "rsa_keygen_bits:3072 -out oidc-signing-key.pem) and set OIDC_SIGNING_KEY_PATH to it."
        )
    if not redis_url:
        problems.append(
            "REDIS_URL is not set: the cache (bank login nonces, revocation answers, the catalogue) would live in each "
            "process, so a bank login returning to another worker process or node would fail. Set REDIS_URL to the "
            "Redis every portal process shares (docs/deployment.md)."
        )
    anchors_problem = trust_anchor_problem(trust_anchors)
    if anchors_problem:
        problems.append(anchors_problem)
    problems.extend(tls_pin_problems(smartid_tls_pins, eparaksts_client_id, eparaksts_tls_pins))
    return problems


_PIN = re.compile(r"[0-9a-f]{64}")


def parse_tls_pins(text: str) -> tuple[str, ...]:
    """Comma-separated SHA-256 fingerprints (hex, colons allowed) of a provider's TLS certificates, normalised."""
    return tuple(p.strip().lower().replace(":", "") for p in text.split(",") if p.strip())


def tls_pin_problems(smartid_pins: str, eparaksts_client_id: str, eparaksts_pins: str) -> list[str]:
    """TLS pinning is mandatory for Smart-ID (SK's https_pinning.html) and required for eParaksts when it is used.

    Production refuses to start without pins, or with a value that is not a SHA-256 fingerprint.
    """
    problems = []
    wanted = [("SMARTID_TLS_PINS", smartid_pins, "Smart-ID")]
    if eparaksts_client_id:
        wanted.append(("EPARAKSTS_TLS_PINS", eparaksts_pins, "eParaksts"))
    for variable, value, provider in wanted:
        pins = parse_tls_pins(value)
        if not pins:
            problems.append(
                f"{variable} is empty: connections to {provider} must be pinned. Set it to the SHA-256 (hex) of the "
                "API's TLS certificate(s), comma-separated, current and next (openssl x509 -noout -fingerprint "
                "-sha256)."
            )
        elif not all(_PIN.fullmatch(pin) for pin in pins):
            problems.append(f"{variable} must list SHA-256 fingerprints: 64 hex digits each, comma-separated.")
    return problems


def parse_rate(text: str) -> tuple[int, int]:
    """A rate limit written "count/seconds" (e.g. "30/600": 30 per 10 minutes); "0/…" switches it off."""
    from django.core.exceptions import ImproperlyConfigured

    count, _, seconds = text.partition("/")
    try:
        parsed = int(count), int(seconds)
    except ValueError:
        raise ImproperlyConfigured(f"A rate limit is written count/seconds, e.g. 30/600, not {text!r}.") from None
    if parsed[0] < 0 or parsed[1] <= 0:
        raise ImproperlyConfigured(f"A rate limit needs a count of 0 or more and a positive period, not {text!r}.")
    return parsed


@dataclass(frozen=True, slots=True)
class Brand:
    """What a page needs to look like the operator's own portal."""

    name: str
    operator: str
    primary_colour: str
    accent_colour: str
    logo_url: str
    business_email: str
    support_phone: str
    support_email: str = ""
    support_url: str = ""
    font_family: str = ""  # CSS font-family list; the system's fonts when empty
    font_url: str = ""  # the first family's font file (WOFF2 or WOFF), from the portal or another origin


# Names, quoted names and commas only: the value goes into a stylesheet, so nothing that could end a rule.
_FONT_FAMILY = re.compile(r'^[A-Za-z0-9 ,"\'-]*$')
# A font file's address goes into the stylesheet's url("…") and its origin into the CSP's font-src: an https
# address or a path on the portal, ending in .woff2 or .woff, with no quote, bracket, space or backslash.
_FONT_URL = re.compile(r"^(https://[A-Za-z0-9.-]+(:[0-9]+)?)?/[A-Za-z0-9._~/%+-]*\.woff2?$")


def _relative_luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours (1 to 21)."""
    la, lb = sorted((_relative_luminance(a), _relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def validate_brand(brand: Brand) -> list[str]:
    """Problems with the brand settings; white text must stay readable on the primary colour (WCAG AA, 4.5:1)."""
    problems = []
    for name in ("primary_colour", "accent_colour"):
        value = getattr(brand, name)
        if not _HEX_COLOUR.match(value):
            problems.append(f"BRAND_{name.upper()} must be a colour like #1f2a44, not {value!r}.")
    if not problems and contrast_ratio(brand.primary_colour, "#ffffff") < 4.5:
        problems.append(
            f"BRAND_PRIMARY_COLOUR {brand.primary_colour} is too light for white text "
            f"(contrast {contrast_ratio(brand.primary_colour, '#ffffff'):.1f}:1, at least 4.5:1 needed)."
        )
    if brand.support_email and "@" not in brand.support_email:
        problems.append(f"BRAND_SUPPORT_EMAIL must be an e-mail address, not {brand.support_email!r}.")
    if brand.support_url and not brand.support_url.startswith(("https://", "http://")):
        problems.append(f"BRAND_SUPPORT_URL must be an http(s) address, not {brand.support_url!r}.")
    if not _FONT_FAMILY.match(brand.font_family):
        problems.append(f"BRAND_FONT_FAMILY must be a CSS font-family list, not {brand.font_family!r}.")
    if brand.font_url and not _FONT_URL.match(brand.font_url):
        problems.append(
            f"BRAND_FONT_URL must be an https address or a path ending in .woff2 or .woff, not {brand.font_url!r}."
        )
    if brand.font_url and not first_font_family(brand.font_family):
        problems.append("BRAND_FONT_URL needs BRAND_FONT_FAMILY: its first family is the name the font file gets.")
    if "@" not in brand.business_email:
        problems.append(f"BRAND_BUSINESS_EMAIL must be an e-mail address, not {brand.business_email!r}.")
    return problems


def first_font_family(font_family: str) -> str:
    """The first name of a CSS font-family list, unquoted ('"Tele2 Sans", Arial' → 'Tele2 Sans')."""
    return font_family.split(",")[0].strip().strip("\"'").strip()


def brand_from_env(env: Any) -> Brand:
    from django.core.exceptions import ImproperlyConfigured

    brand = Brand(
        name=env.str("BRAND_NAME", default="Mans Tele2"),
        operator=env.str("BRAND_OPERATOR", default="Tele2"),
        primary_colour=env.str("BRAND_PRIMARY_COLOUR", default="#1f2a44"),
        accent_colour=env.str("BRAND_ACCENT_COLOUR", default="#00a6d6"),
        logo_url=env.str("BRAND_LOGO_URL", default=""),
        business_email=env.str("BRAND_BUSINESS_EMAIL", default="bizness@tele2.lv"),
        support_phone=env.str("BRAND_SUPPORT_PHONE", default=""),
        support_email=env.str("BRAND_SUPPORT_EMAIL", default=""),
        support_url=env.str("BRAND_SUPPORT_URL", default="https://www.tele2.lv/"),
        font_family=env.str("BRAND_FONT_FAMILY", default=""),
        font_url=env.str("BRAND_FONT_URL", default=""),
    )
    problems = validate_brand(brand)
    if problems:
        raise ImproperlyConfigured("Brand settings:\n- " + "\n- ".join(problems))
    return brand


def redis_cache(url: str, *, timeout: float) -> dict[str, object]:
    """The cache settings for Redis at `url`. Without socket timeouts a Redis that hangs (accepts, never answers)
    would hang every worker with it; with them the request ends in the translated 503 page
    (selfcare/portal/unavailable.py)."""
    return {
        "BACKEND": "selfcare.cache.KeptClientRedisCache",
        "LOCATION": url,
        "OPTIONS": {"socket_connect_timeout": timeout, "socket_timeout": timeout},
    }
