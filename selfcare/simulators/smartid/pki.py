"""The simulator's certificates: one test PKI per directory, shared with whatever verifies the simulator.

The portal's demo configuration trusts ``test_ca().trust_anchors`` so that what the simulator signs verifies
through the production code path, and nothing else does.
"""

from __future__ import annotations

import functools
from pathlib import Path

from django.conf import settings

from selfcare.simulators.pki.testca import Issued, TestCA
from selfcare.simulators.smartid.accounts import Account, Behaviour


def pki_directory() -> Path:
    """``settings.SELFCARE_PKI_DIR`` if set, else ``<VAR_DIR>/pki``: kept across runs, because RSA keys are slow."""
    configured = getattr(settings, "SELFCARE_PKI_DIR", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "pki"


@functools.cache
def _ca_in(directory: Path) -> TestCA:
    return TestCA(directory)


def test_ca() -> TestCA:
    """The test PKI in :func:`pki_directory`, created on first use and cached per process (per directory)."""
    return _ca_in(pki_directory())


test_ca.__test__ = False  # type: ignore[attr-defined]  # a factory, not a pytest test, despite its name


def credentials(account: Account) -> Issued:
    """The account's authentication certificate and key, issued on first use (by the unknown root if asked; revoked
    in the test PKI's registry for the "Revoked certificate" account)."""
    issued = test_ca().smartid_person(
        account.personal_code,
        account.given_name,
        account.family_name,
        level=account.level,
        untrusted=account.behaviour is Behaviour.UNKNOWN_CA,
        country=account.country,
    )
    if account.behaviour is Behaviour.REVOKED:
        test_ca().revoke(issued)  # idempotent: revoked an hour after issuance, the first time only
    return issued


def signing_credentials(account: Account) -> Issued:
    """The account's qualified signing certificate (KU nonRepudiation) and key, for the signature flow; by the
    unknown root for "Unknown CA", revoked for "Revoked certificate", as for authentication."""
    issued = test_ca().signing_person(
        account.personal_code,
        account.given_name,
        account.family_name,
        untrusted=account.behaviour is Behaviour.UNKNOWN_CA,
    )
    if account.behaviour is Behaviour.REVOKED:
        test_ca().revoke(issued)
    return issued
