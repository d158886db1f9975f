"""The signer's personal code comes from the certificate's serialNumber, in the forms eParaksts has used."""

from __future__ import annotations

import pytest

from selfcare.mandates.signatures import identity
from selfcare.simulators.pki.documents import person_signer
from selfcare.simulators.pki.testca import TestCA


@pytest.mark.parametrize(
    ("serial_number", "expected"),
    [
        ("PNOLV-150385-12346", "15038512346"),  # ETSI EN 319 412-1 semantics identifier
        ("150385-12346", "15038512346"),  # older eParaksts certificates: the bare code
        ("15038512346", "15038512346"),
        ("PNOLV-32579104511", "32579104511"),  # a new-format code
        ("PNOEE-38001085718", None),  # an Estonian personal number is not misread as Latvian
        ("IDCLV-PA1234567", None),  # a document number, not a personal code
        ("150385-12345", None),  # wrong check digit
    ],
)
def test_the_personal_code_is_read_from_the_subject_serial_number(
    ca: TestCA, serial_number: str, expected: str | None
) -> None:
    signer = person_signer(ca, "150385-12346", "Anna", "Bērziņa", serial_number=serial_number)

    assert identity.personal_code(signer.certificate) == expected
    assert identity.signer_name(signer.certificate) == "ANNA BĒRZIŅA"
    assert identity.signer_country(signer.certificate) == "LV"
