"""Smart-ID configuration from settings (README "Configuration"), validated when first used.

Demo and tests point at the simulator service, and the demo's settings name the test CA's files; production must
name SK's API over HTTPS and the SK CA certificates to trust. Nothing falls back to the system trust store.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from selfcare.config import parse_tls_pins
from selfcare.identity.methods.smartid.verification import SmartIdPolicy, load_pem_certificates
from selfcare.revocation import revocation_checker
from selfcare.settings_cache import settings_cached

DEMO_RP_UUID = "00000000-0000-4000-8000-000000000000"


@dataclass(frozen=True)
class SmartIdConfig:
    api_url: str  # ends with "/", e.g. https://rp-api.smart-id.com/v3/
    rp_uuid: str
    rp_name: str
    certificate_level: str
    hash_algorithm: str
    scheme_name: str
    connect_timeout: float
    poll_timeout_ms: int  # long-poll length of one status request made while a person waits
    session_timeout_s: int  # give up on a session after this long
    tls_pins: tuple[str, ...]  # SHA-256 of the API's certificate (hex); empty = ordinary TLS verification
    policy: SmartIdPolicy


def _paths(value: str) -> list[Path]:
    return [Path(p.strip()) for p in value.split(",") if p.strip()]


@settings_cached
def smartid_config() -> SmartIdConfig:
    demo = settings.SELFCARE_DEMO
    api_url = settings.SMARTID_API_URL or (f"{settings.SELFCARE_SIMULATORS_URL}/simulators/smartid/v3/" if demo else "")
    trusted = _paths(settings.SMARTID_TRUSTED_CA)
    intermediates = _paths(settings.SMARTID_INTERMEDIATE_CA)
    problems = []
    if not api_url:
        problems.append("SMARTID_API_URL is not set (e.g. https://rp-api.smart-id.com/v3/).")
    elif not api_url.startswith("https://") and not demo:
        problems.append("SMARTID_API_URL must use https:// outside the demo.")
    if not trusted:
        problems.append("SMARTID_TRUSTED_CA must name the PEM file(s) of the CA certificates to trust.")
    if not demo and settings.SMARTID_RP_UUID in ("", DEMO_RP_UUID):
        problems.append("SMARTID_RP_UUID must be the relying party UUID from the SK contract.")
    if settings.SMARTID_HASH_ALGORITHM not in settings.SMARTID_HASH_ALGORITHMS:
        problems.append(f"SMARTID_HASH_ALGORITHM must be one of {', '.join(settings.SMARTID_HASH_ALGORITHMS)}.")
    if settings.SMARTID_CERTIFICATE_LEVEL not in ("QUALIFIED", "ADVANCED"):
        problems.append("SMARTID_CERTIFICATE_LEVEL must be QUALIFIED or ADVANCED.")
    if problems:
        raise ImproperlyConfigured("Smart-ID configuration:\n- " + "\n- ".join(problems))
    try:
        anchors = load_pem_certificates(trusted)
        other = load_pem_certificates(intermediates) if intermediates else []
    except (OSError, ValueError) as error:
        raise ImproperlyConfigured(f"Smart-ID trust anchors could not be read: {error}") from error
    policy = SmartIdPolicy(
        trust_anchors=anchors,
        intermediates=other,
        required_level=settings.SMARTID_CERTIFICATE_LEVEL,
        scheme_name=settings.SMARTID_SCHEME_NAME,
        revocation_check=revocation_checker(),
    )
    return SmartIdConfig(
        api_url=api_url if api_url.endswith("/") else api_url + "/",
        rp_uuid=settings.SMARTID_RP_UUID or DEMO_RP_UUID,
        rp_name=settings.SMARTID_RP_NAME,
        certificate_level=settings.SMARTID_CERTIFICATE_LEVEL,
        hash_algorithm=settings.SMARTID_HASH_ALGORITHM,
        scheme_name=settings.SMARTID_SCHEME_NAME,
        connect_timeout=settings.SMARTID_CONNECT_TIMEOUT,
        poll_timeout_ms=settings.SMARTID_POLL_TIMEOUT_MS,
        session_timeout_s=settings.SMARTID_SESSION_TIMEOUT_SECONDS,
        tls_pins=parse_tls_pins(settings.SMARTID_TLS_PINS),
        policy=policy,
    )
