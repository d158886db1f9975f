"""Checks of a provider's configuration that need no person: used by `selfcare eid-check`.

Each check yields (ok, text) lines, so the command can print them all and still fail if one failed.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import httpx
from cryptography import x509
from django.core.exceptions import ImproperlyConfigured

from selfcare import outbound
from selfcare.identity.methods.http import peer_certificate_sha256

BANKS = ("swedbank", "seb", "citadele", "luminor")
Check = tuple[bool, str]


def _reachable(url: str, *, method: str = "GET", **kwargs: object) -> tuple[Check, httpx.Response | None]:
    try:
        response = httpx.request(method, url, timeout=10, follow_redirects=False, **kwargs)  # type: ignore[arg-type]
    except httpx.HTTPError as error:
        return (False, f"{url} does not answer: {type(error).__name__}"), None
    return (True, f"{url} answers (HTTP {response.status_code})"), response


def _certificate_dates(label: str, certificate: x509.Certificate) -> Check:
    now = datetime.datetime.now(datetime.UTC)
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        return False, f"{label} is outside its validity ({certificate.not_valid_after_utc:%Y-%m-%d})"
    days = (certificate.not_valid_after_utc - now).days
    return days > 30, f"{label} valid until {certificate.not_valid_after_utc:%Y-%m-%d} ({days} days left)"


def tls_pin_check(url: str, pins: tuple[str, ...], variable: str) -> Check:
    """Whether the server at ``url`` presents one of the pinned certificates, said plainly either way."""
    try:
        # Streamed: the certificate is read while the connection is open, before a closing server drops it.
        with (
            outbound.client(timeout=10) as client,
            client.stream("GET", url, follow_redirects=False) as response,
        ):
            presented = peer_certificate_sha256(response)
    except httpx.HTTPError as error:
        return False, f"{url} does not answer over TLS: {type(error).__name__}"
    if presented is None:
        return False, f"{url} is not HTTPS: nothing to pin ({variable} is set)"
    if presented in pins:
        return True, f"the TLS certificate of {url} is pinned ({presented})"
    return False, f"TLS pin mismatch: {url} presents a certificate with SHA-256 {presented}, which is not in {variable}"


def check_eparaksts() -> Iterator[Check]:
    from selfcare.identity.methods.eparaksts.client import client_authorization
    from selfcare.identity.methods.eparaksts.config import eparaksts_config

    try:
        config = eparaksts_config()
    except ImproperlyConfigured as error:
        yield False, f"configuration: {error}"
        return
    yield True, f"configuration complete (platform {config.url}, client {config.client_id})"
    check, _ = _reachable(config.authorize_url)
    yield check
    # A made-up code tells the two answers apart: invalid_client (our credentials are refused) and invalid_grant
    # (the credentials are accepted, only the code is not).
    if config.tls_pins:
        yield tls_pin_check(config.authorize_url, config.tls_pins, "EPARAKSTS_TLS_PINS")
    # The same client authentication as the login (not plain Basic: they differ for secrets with + % / : etc.).
    check, response = _reachable(
        config.token_url,
        method="POST",
        headers={"Authorization": client_authorization(config.client_id, config.client_secret)},
        data={"grant_type": "authorization_code", "code": "eid-check-probe", "redirect_uri": config.redirect_uri},
    )
    if response is None:
        yield check
        return
    oauth_error = (
        response.json().get("error", "")
        if response.headers.get("content-type", "").startswith("application/json")
        else ""
    )
    if oauth_error == "invalid_grant":
        yield True, "the token endpoint accepts our client credentials"
    else:
        reason = oauth_error or "no error code"
        yield False, f"the token endpoint refused our client credentials (HTTP {response.status_code}, {reason})"


def check_bank(bank: str) -> Iterator[Check]:
    from cryptography.hazmat.primitives.asymmetric import rsa

    from selfcare.identity.methods.banklink.profiles import bank_profile

    try:
        profile = bank_profile(bank)
    except ImproperlyConfigured as error:
        yield False, f"configuration: {error}"
        return
    yield True, f"configuration complete ({profile.url}, our id {profile.sender_id})"
    key = profile.keys.private_key
    yield (
        isinstance(key, rsa.RSAPrivateKey) and key.key_size >= 2048,
        f"our private key loads (RSA {key.key_size} bits)",
    )
    yield _certificate_dates("the bank's certificate", profile.keys.bank_certificate)
    check, _ = _reachable(profile.url)
    yield check
