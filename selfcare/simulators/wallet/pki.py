"""EC P-256 keys and certificates of the wallet ecosystem, made in the test PKI's directory (HAIP: ES256).

- ``wallet-access``: our (the portal's) access certificate, issued by the test root (the demo's settings name it);
- ``wallet-pid-provider``: the PID provider, issued by the test root, alone in ``wallet-trusted-pid-providers.pem``;
- ``wallet-untrusted-pid-provider``: a self-signed provider nobody configured.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings

from selfcare.simulators.pki.testca import TestCA

TRUSTED_LIST = "wallet-trusted-pid-providers.pem"


@dataclass(frozen=True)
class EcIssued:
    certificate: x509.Certificate
    private_key: ec.EllipticCurvePrivateKey


def pki_directory() -> Path:
    return Path(settings.SELFCARE_PKI_DIR)


def _issue(label: str, common_name: str, *, trusted_root: bool) -> EcIssued:
    directory = pki_directory()
    cert_path, key_path = directory / f"{label}.pem", directory / f"{label}.key.pem"
    now = dt.datetime.now(dt.UTC)
    root = TestCA(directory).root if trusted_root else None
    if cert_path.is_file() and key_path.is_file():
        certificate = x509.load_pem_x509_certificates(cert_path.read_bytes())[0]
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        fresh = certificate.not_valid_before_utc < now < certificate.not_valid_after_utc - dt.timedelta(days=30)
        chains = root is None or certificate.issuer == root.certificate.subject
        if fresh and chains and isinstance(key, ec.EllipticCurvePrivateKey):
            return EcIssued(certificate, key)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "LV"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "selfcare TEST wallet ecosystem"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(root.certificate.subject if root else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3 * 365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(root.private_key if root else key, hashes.SHA256())
    )
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_path.chmod(0o600)
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return EcIssued(certificate, key)


def access_certificate() -> EcIssued:
    return _issue("wallet-access", "TEST selfcare wallet relying party access", trusted_root=True)


def pid_provider() -> EcIssued:
    return _issue("wallet-pid-provider", "TEST PID provider", trusted_root=True)


def untrusted_pid_provider() -> EcIssued:
    return _issue("wallet-untrusted-pid-provider", "TEST unknown PID provider", trusted_root=False)


def ensure_wallet_pki() -> None:
    """Every wallet file the demo's settings name, and the trusted list holding the PID provider alone."""
    access_certificate()
    untrusted_pid_provider()
    provider = pid_provider()
    (pki_directory() / TRUSTED_LIST).write_bytes(provider.certificate.public_bytes(serialization.Encoding.PEM))
