"""Collect the static files into the image at build time: `python deploy/build_static.py` (Dockerfile).

Production's static storage (WhiteNoise's manifest: hashed names, cached for ever) is only used with DEBUG off,
and with DEBUG off the settings refuse to load without the operator's secrets, which a build must never see. So
this step loads the settings with throwaway values made here (a random key, a fresh signing key and trust anchor
in a temporary folder, deleted afterwards) that exist only for `collectstatic`: nothing of them is kept in the
image but the collected files, and the running container reads the operator's real values from its environment.
"""

from __future__ import annotations

import datetime
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID


def _throwaway_files(folder: Path) -> dict[str, str]:
    signing = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_path = folder / "oidc.pem"
    pem = serialization.Encoding.PEM
    key_path.write_bytes(signing.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    anchor_key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "build only")])
    now = datetime.datetime.now(datetime.UTC)
    anchor = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(anchor_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(anchor_key, hashes.SHA256())
    )
    anchor_path = folder / "anchor.pem"
    anchor_path.write_bytes(anchor.public_bytes(serialization.Encoding.PEM))
    return {"OIDC_SIGNING_KEY_PATH": str(key_path), "SIGNED_DOCUMENT_TRUST_ANCHORS": str(anchor_path)}


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            **_throwaway_files(Path(folder)),
            "DEBUG": "false",
            "SELFCARE_DEMO": "false",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "SMS_BACKEND": "smpp",
            "SMARTID_TLS_PINS": "00" * 32,
            "REDIS_URL": "redis://build.invalid:6379/0",  # named, never connected to
            "ALLOWED_HOSTS": "build.invalid",
        }
        command = [sys.executable, "-m", "selfcare", "collectstatic", "--no-input", "-v", "0"]
        return subprocess.run(command, env=env, check=False).returncode  # noqa: S603 - our own command


if __name__ == "__main__":
    raise SystemExit(main())
