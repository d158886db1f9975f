"""Settings of signed-document validation: the trust anchors and the size limit, read once.

``SIGNED_DOCUMENT_TRUST_ANCHORS`` lists PEM files or directories of *.pem files (comma-separated) holding the CA
certificates whose signatures count (for eParaksts: LVRTC's roots). Nothing falls back to the system trust store.
In the demo and tests the settings name the test CA's root in ``SELFCARE_PKI_DIR`` (selfcare/settings.py).
"""

from __future__ import annotations

import functools
from pathlib import Path

from cryptography import x509
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from selfcare.config import pem_files

DEFAULT_MAX_BYTES = 10 * 1024 * 1024


def max_bytes() -> int:
    return int(getattr(settings, "SIGNED_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def load_certificates(paths: list[Path]) -> list[x509.Certificate]:
    certificates: list[x509.Certificate] = []
    for path in paths:
        certificates.extend(x509.load_pem_x509_certificates(path.read_bytes()))
    return certificates


@functools.cache
def trust_anchors() -> tuple[x509.Certificate, ...]:
    """The configured anchors, loaded on first use and kept for the life of the process."""
    configured = str(getattr(settings, "SIGNED_DOCUMENT_TRUST_ANCHORS", ""))
    files = pem_files(configured)
    if not files:
        raise ImproperlyConfigured(
            "SIGNED_DOCUMENT_TRUST_ANCHORS must name the PEM file(s) or directory of the CA certificates whose "
            "signatures on uploaded documents count."
        )
    try:
        anchors = load_certificates(files)
    except (OSError, ValueError) as error:
        raise ImproperlyConfigured(f"Signed-document trust anchors could not be read: {error}") from error
    if not anchors:
        raise ImproperlyConfigured("SIGNED_DOCUMENT_TRUST_ANCHORS names no certificate.")
    return tuple(anchors)
