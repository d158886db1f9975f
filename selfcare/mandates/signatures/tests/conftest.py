from __future__ import annotations

import pytest
from django.conf import settings

from selfcare.simulators.pki.documents import SigningKey, person_signer, simple_pdf
from selfcare.simulators.pki.testca import TestCA


@pytest.fixture(autouse=True)
def _database(db: None) -> None:
    """Every check of a signer asks the test PKI's OCSP responder: the simulator service, which shares the database."""


@pytest.fixture(scope="session")
def ca() -> TestCA:
    return TestCA(settings.SELFCARE_PKI_DIR)


@pytest.fixture(scope="session")
def anna(ca: TestCA) -> SigningKey:
    return person_signer(ca, "150385-12346", "Anna", "Bērziņa")


@pytest.fixture(scope="session")
def form_pdf() -> bytes:
    return simple_pdf("PILNVARA / POWER OF ATTORNEY", "SIA Example grants main user rights to Peteris Kalnins.")
