"""eParaksts configuration from settings (README "Configuration"), validated when first used.

The demo points at the simulator (``/simulators/eparaksts``) with its public demo client; production must name
LVRTC's host over HTTPS, the client credentials from the LVRTC contract and the exact redirect URI registered
with them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from selfcare.config import parse_tls_pins
from selfcare.settings_cache import settings_cached

DEMO_CLIENT_ID = "selfcare-demo"
DEMO_CLIENT_SECRET = "demo-secret"  # noqa: S105 - the simulator's public demo client, refused outside the demo

# The portal's method keys (registry) and the setting that names the platform flow (acr_values) for each.
METHOD_ACR_SETTINGS = {
    "eparaksts-mobile": "EPARAKSTS_ACR_MOBILE",
    "eparaksts-card": "EPARAKSTS_ACR_CARD",
    "eid-scan": "EPARAKSTS_ACR_SCAN",
}


@dataclass(frozen=True)
class EparakstsConfig:
    url: str  # the platform host, no trailing slash, e.g. https://eidas.eparaksts.lv
    client_id: str
    client_secret: str
    redirect_uri: str  # empty only in the demo: then the portal's own callback URL is used
    acr: dict[str, str]  # method key -> acr_values
    connect_timeout: float
    read_timeout: float
    state_max_age_s: int  # a login not finished within this long is refused at the callback
    tls_pins: tuple[str, ...] = ()  # SHA-256 (hex) of the platform's TLS certificates; empty = ordinary TLS checks

    @property
    def authorize_url(self) -> str:
        return f"{self.url}/trustedx-authserver/oauth/lvrtc-eipsign-as"

    @property
    def token_url(self) -> str:
        return f"{self.url}/trustedx-authserver/oauth/lvrtc-eipsign-as/token"

    @property
    def userinfo_url(self) -> str:
        return f"{self.url}/trustedx-resources/openid/v1/users/me"


@settings_cached
def eparaksts_config() -> EparakstsConfig:
    demo = settings.SELFCARE_DEMO
    demo_url = f"{settings.SELFCARE_SIMULATORS_URL}/simulators/eparaksts"
    url = (settings.EPARAKSTS_URL or (demo_url if demo else "")).rstrip("/")
    client_id = settings.EPARAKSTS_CLIENT_ID or (DEMO_CLIENT_ID if demo else "")
    client_secret = settings.EPARAKSTS_CLIENT_SECRET or (DEMO_CLIENT_SECRET if demo else "")
    redirect_uri = settings.EPARAKSTS_REDIRECT_URI
    acr = {method: str(getattr(settings, name)) for method, name in METHOD_ACR_SETTINGS.items()}
    problems = []
    if not url:
        problems.append("EPARAKSTS_URL is not set (e.g. https://eidas.eparaksts.lv).")
    elif not url.startswith("https://") and not demo:
        problems.append("EPARAKSTS_URL must use https:// outside the demo.")
    if not client_id:
        problems.append("EPARAKSTS_CLIENT_ID must be the client id from the LVRTC contract.")
    if not client_secret:
        problems.append("EPARAKSTS_CLIENT_SECRET must be the client secret from the LVRTC contract.")
    if not redirect_uri and not demo:
        problems.append("EPARAKSTS_REDIRECT_URI must be the exact callback URL registered with LVRTC.")
    elif redirect_uri and not redirect_uri.startswith("https://") and not demo:
        problems.append("EPARAKSTS_REDIRECT_URI must use https:// outside the demo.")
    problems += [f"{METHOD_ACR_SETTINGS[m]} must not be empty." for m, value in acr.items() if not value]
    if problems:
        raise ImproperlyConfigured("eParaksts configuration:\n- " + "\n- ".join(problems))
    return EparakstsConfig(
        url=url,
        client_id=client_id,
        client_secret=client_secret,
        redirect_uri=redirect_uri,
        acr=acr,
        connect_timeout=settings.EPARAKSTS_CONNECT_TIMEOUT,
        read_timeout=settings.EPARAKSTS_READ_TIMEOUT,
        state_max_age_s=settings.EPARAKSTS_STATE_MAX_AGE_SECONDS,
        tls_pins=parse_tls_pins(settings.EPARAKSTS_TLS_PINS),
    )
