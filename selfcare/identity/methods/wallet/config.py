"""Wallet configuration from settings (README "EU Digital Identity Wallet"), validated when first used.

The demo names files of the test PKI (selfcare/simulators/wallet/pki.py makes them): our access certificate and
key, and the list of trusted PID providers; production names the access certificate issued to us as a registered
relying party (Implementing Regulation (EU) 2025/848) and the PID providers of the trusted lists.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from selfcare.settings_cache import settings_cached


@dataclass(frozen=True)
class WalletConfig:
    access_chain: tuple[x509.Certificate, ...]  # our access certificate first, then its issuers (x5c)
    access_key: ec.EllipticCurvePrivateKey
    trusted_providers: tuple[x509.Certificate, ...]  # PID providers' signing certificates or the CAs that issue them
    invocation_url: str  # where the QR code and the same-device link send the request: "openid4vp://" in production
    max_age_s: int  # a transaction not answered within this long is refused
    status_timeout_s: float

    @property
    def client_id(self) -> str:
        return x509_hash_client_id(self.access_chain[0])


def x509_hash_client_id(certificate: x509.Certificate) -> str:
    """OpenID4VP 1.0 ``x509_hash`` client id: the SHA-256 of the access certificate (HAIP 1.0 requires this prefix)."""
    der = certificate.public_bytes(serialization.Encoding.DER)
    return "x509_hash:" + base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode()


def _certificates(path: str) -> tuple[x509.Certificate, ...]:
    return tuple(x509.load_pem_x509_certificates(Path(path).read_bytes()))


@settings_cached
def wallet_config() -> WalletConfig:
    problems = []
    for name in ("WALLET_ACCESS_CERTIFICATE", "WALLET_ACCESS_KEY", "WALLET_TRUSTED_PID_PROVIDERS"):
        path = getattr(settings, name)
        if not path or not Path(path).is_file():
            problems.append(f"{name} must name a PEM file (now {path!r}).")
    demo_invocation = f"{settings.SELFCARE_SIMULATORS_URL}/simulators/wallet/authorize"
    invocation = settings.WALLET_INVOCATION_URL or (demo_invocation if settings.SELFCARE_DEMO else "")
    if not invocation:
        problems.append("WALLET_INVOCATION_URL must not be empty (openid4vp:// for wallets on the person's phone).")
    if problems:
        raise ImproperlyConfigured("EU Digital Identity Wallet configuration:\n- " + "\n- ".join(problems))
    key = serialization.load_pem_private_key(Path(settings.WALLET_ACCESS_KEY).read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ImproperlyConfigured("WALLET_ACCESS_KEY must be an EC P-256 key (HAIP: ES256).")
    return WalletConfig(
        access_chain=_certificates(settings.WALLET_ACCESS_CERTIFICATE),
        access_key=key,
        trusted_providers=_certificates(settings.WALLET_TRUSTED_PID_PROVIDERS),
        invocation_url=invocation,
        max_age_s=settings.WALLET_MAX_AGE_SECONDS,
        status_timeout_s=settings.WALLET_STATUS_TIMEOUT,
    )
