"""The OpenID provider's signing keys: read from PEM files named by the configuration. An RSA key (RS256, what
every client can verify) and a P-256 key (ES256, for our own clients that register it: a signature costs a few
hundredths of a millisecond where RSA-3072 costs over a millisecond, on the token endpoint's every response).

The demo and the tests generate one into `var/` on first use (RSA generation is slow, so once per checkout);
production never generates a key — `selfcare.config.production_problems` refuses to start without one, because a
key made up at start would change at every restart and across processes, and every issued ID token would stop
verifying. No Django imports: settings.py calls this.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa


def signing_key_pem(path: Path, *, generate: bool) -> str:
    """The PEM text of the RSA private key at `path`; with `generate`, a new 3072-bit key is written there first
    when the file does not exist yet (readable by the owner only)."""
    if not path.exists() and generate:
        path.parent.mkdir(parents=True, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(pem)
        temporary.chmod(0o600)
        # Two processes starting at once: the rename is atomic, the last one wins and both read the same file.
        temporary.replace(path)
    text = path.read_text()
    loaded = serialization.load_pem_private_key(text.encode(), password=None)
    if not isinstance(loaded, rsa.RSAPrivateKey) or loaded.key_size < 2048:
        raise ValueError(f"{path} is not an RSA private key of at least 2048 bits")
    return text


def ec_signing_key_pem(path: Path, *, generate: bool) -> str:
    """The PEM text of the P-256 private key at `path` (ES256); with `generate`, a new one is written there first
    when the file does not exist yet (readable by the owner only). An empty path means no ES256 key."""
    if not str(path) or str(path) == ".":
        return ""
    if not path.exists() and generate:
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(pem)
        temporary.chmod(0o600)
        temporary.replace(path)
    if not path.exists():
        return ""
    text = path.read_text()
    loaded = serialization.load_pem_private_key(text.encode(), password=None)
    if not isinstance(loaded, ec.EllipticCurvePrivateKey) or not isinstance(loaded.curve, ec.SECP256R1):
        raise ValueError(f"{path} is not a P-256 (prime256v1) private key")
    return text
