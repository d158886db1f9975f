"""Run a snippet in a fresh Python process with chosen environment variables: how settings are tested for real."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ROOT = Path(__file__).resolve().parents[2]


# The OpenID signing key the demo and tests generate (settings.py, DEBUG on) stands in for an operator's file.
OIDC_KEY = str(ROOT / "var" / "oidc-signing-key.pem")


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        env=keep | {"DJANGO_SETTINGS_MODULE": "selfcare.settings", "SELFCARE_VAR_DIR": str(ROOT / "var")} | env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def write_trust_anchor(directory: Path) -> str:
    """A CA certificate file in `directory`, standing in for the operator's signed-document trust anchors
    (SIGNED_DOCUMENT_TRUST_ANCHORS, required in production)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Trust anchor for settings tests")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path = directory / "anchor.pem"
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return str(path)
