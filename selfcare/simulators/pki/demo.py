"""The test PKI's files the demo's settings name (selfcare/settings.py), made before any service reads them.

The portal is configured for the demo as an operator configures it for production: trust anchors, our bank-link
key and certificate and each bank's certificate are files named in settings. Here they are made in
``SELFCARE_PKI_DIR`` by the test CA: by `selfcare demo_data` (run by `make run`), `selfcare simulators`, `make load`
and the test session, each before the first login. Making them again keeps what exists (RSA keys are slow).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from selfcare.identity.methods.banklink.profiles import BANKS, NAMES
from selfcare.simulators.pki.testca import Issued, TestCA
from selfcare.simulators.wallet.pki import ensure_wallet_pki


def _ca() -> TestCA:
    return TestCA(Path(settings.SELFCARE_PKI_DIR))


def portal_certificate() -> Issued:
    """Our demo bank-link key and certificate (the simulated banks verify our requests with it)."""
    return _ca().issue_certificate("TEST selfcare bank link", label="banklink-portal", organization="Tele2")


def bank_certificate(bank: str) -> Issued:
    """A simulated bank's key and certificate; the demo's settings name exactly this one as the bank's."""
    return _ca().issue_certificate(f"TEST {NAMES[bank]} bank link", label=f"banklink-{bank}", organization=NAMES[bank])


def ensure_demo_pki() -> TestCA:
    """Every file the demo's settings name: the root and Smart-ID issuing CA, our and each bank's bank-link pair."""
    ca = _ca()
    portal_certificate()
    for bank in BANKS:
        bank_certificate(bank)
    ensure_wallet_pki()
    return ca
