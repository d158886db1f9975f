"""What the simulator accepts: the registered client, its redirect URI, the scope and the flows."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from selfcare.identity.methods.eparaksts.config import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET

SCOPE = "urn:lvrtc:fpeil:aa"
# Host names a demo or test portal runs under, when no redirect URI is registered (EPARAKSTS_REDIRECT_URI empty).
DEMO_HOSTS = ("127.0.0.1", "localhost", "testserver")
AMR_MOBILEID = "urn:safelayer:tws:policies:authentication:adaptive:methods:mobileid"
AMR_SC_PLUGIN = "urn:safelayer:tws:policies:authentication:adaptive:methods:sc_plugin"
CODE_LIFETIME_SECONDS = 60
TOKEN_LIFETIME_SECONDS = 600
REQUEST_LIFETIME_SECONDS = 600
# The portal is another service; its URLconf says which path its callback has.
PORTAL_URLCONF = "selfcare.urls"


PREFIX = "eparaksts-sim:"


def cache_key(kind: str, value: str) -> str:
    """Where the simulator keeps a request, code or token in the cache (by the value's hash)."""
    return f"{PREFIX}{kind}:{hashlib.sha256(value.encode()).hexdigest()}"


def client_id() -> str:
    return str(getattr(settings, "EPARAKSTS_CLIENT_ID", "") or DEMO_CLIENT_ID)


def client_secret() -> str:
    return str(getattr(settings, "EPARAKSTS_CLIENT_SECRET", "") or DEMO_CLIENT_SECRET)


def client_credentials_match(given_id: str, given_secret: str) -> bool:
    id_ok = hmac.compare_digest(given_id.encode(), client_id().encode())
    return hmac.compare_digest(given_secret.encode(), client_secret().encode()) and id_ok


def redirect_uri_registered(uri: str) -> bool:
    """``EPARAKSTS_REDIRECT_URI`` exactly when set; otherwise the portal's callback on a local demo host.

    LVRTC registers one exact URI per client. The demo cannot know the port it is served on, so any
    http(s)://127.0.0.1|localhost|testserver[:port] URL whose path is the portal's callback path is taken.
    """
    registered = str(getattr(settings, "EPARAKSTS_REDIRECT_URI", ""))
    if registered:
        return uri == registered
    with translation.override(settings.LANGUAGE_CODE):
        callback_path = reverse("portal:login-eparaksts-callback", urlconf=PORTAL_URLCONF)
    return _demo_callback(uri, callback_path)


def sign_scopes() -> tuple[str, str]:
    """The signature API's scopes: the person's signing identities, and the use of one for a digest."""
    return str(settings.EPARAKSTS_SIGN_SCOPE_PROFILE), str(settings.EPARAKSTS_SIGN_SCOPE_USE)


def sign_redirect_uri_registered(uri: str) -> bool:
    """``EPARAKSTS_SIGN_REDIRECT_URI`` exactly when set; otherwise the portal's signing callback on a demo host."""
    registered = str(getattr(settings, "EPARAKSTS_SIGN_REDIRECT_URI", ""))
    if registered:
        return uri == registered
    with translation.override(settings.LANGUAGE_CODE):
        callback_path = reverse("portal:signing-eparaksts-callback", urlconf=PORTAL_URLCONF)
    return _demo_callback(uri, callback_path)


def _demo_callback(uri: str, callback_path: str) -> bool:
    parts = urlsplit(uri)
    return (
        parts.scheme in ("http", "https")
        and parts.hostname in DEMO_HOSTS
        and parts.path == callback_path
        and not parts.query
        and not parts.fragment
        and not parts.username
    )


def flows() -> dict[str, str]:
    """acr_values the platform offers -> the title of the simulator's page for it."""
    return {
        str(settings.EPARAKSTS_ACR_MOBILE): "eParaksts Mobile",
        str(settings.EPARAKSTS_ACR_CARD): "eID card",
        str(settings.EPARAKSTS_ACR_SCAN): "eID Scan",
    }


def amr_for(acr: str) -> list[str]:
    """As reportedly measured on the live platform: ``mobileid`` for both Mobile and eID Scan."""
    return [AMR_SC_PLUGIN if acr == settings.EPARAKSTS_ACR_CARD else AMR_MOBILEID]
