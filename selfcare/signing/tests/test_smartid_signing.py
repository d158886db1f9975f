"""Signing a PDF with Smart-ID through the simulator, over HTTP with the production client: the person confirms the
request with the verification code on the phone page, and the PDF comes back signed and valid; every way it can go
wrong ends with the eID error the portal shows (refused in the app, timeout, a certificate of too low a level or
from an unknown CA)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from selfcare.identifiers import PersonalCode
from selfcare.identity.methods.base import Cancelled, Refused, TimedOut
from selfcare.mandates.signatures import validate_document
from selfcare.signing import flow
from selfcare.signing.tests.test_pades import pyhanko_cli_says_valid
from selfcare.simulators.pki.documents import simple_pdf
from selfcare.simulators.smartid import pki
from selfcare.simulators.testing import SimulatorsClient

pytestmark = pytest.mark.django_db(transaction=True)

JANIS = "12047811230"
ADVANCED_ONLY = "01059011113"
REFUSES = "02078512348"
TIMES_OUT = "03097513578"
UNKNOWN_CA = "04118014706"


def _start(code: str) -> flow.Signing:
    return flow.start(
        pdf=simple_pdf("PILNVARA"), code=PersonalCode.parse(code), method="smartid", display_text="Sign the form"
    )


def _until_signature_requested(signing: flow.Signing) -> flow.Signing:
    for _ in range(5):
        assert flow.advance(signing, timeout_ms=0) is None
        if signing.stage == "signature":
            return signing
    raise AssertionError("the certificate was never chosen")


def _answer_on_phone(code: str, answer: str) -> str:
    phone = SimulatorsClient(HTTP_ACCEPT_LANGUAGE="en")
    html = phone.get(f"/simulators/smartid/phone/{code}/?lang=en").content.decode()
    session_id = re.search(rf"/simulators/smartid/phone/{code}/([0-9a-f-]{{36}})/", html)
    assert session_id is not None, html
    response = phone.post(f"/simulators/smartid/phone/{code}/{session_id.group(1)}/", {"answer": answer})
    assert response.status_code == 302
    return html


def _finish(signing: flow.Signing) -> bytes:
    for _ in range(5):
        signed = flow.advance(signing, timeout_ms=0)
        if signed is not None:
            return signed
    raise AssertionError("the signature never came")


def test_a_person_confirms_on_the_phone_with_the_code_shown_and_the_pdf_comes_back_signed_and_valid(
    tmp_path: Path,
) -> None:
    signing = _until_signature_requested(_start(JANIS))
    assert re.fullmatch(r"\d{4}", signing.verification_code)

    phone_page = _answer_on_phone(JANIS, "confirm")
    signed = _finish(signing)

    assert "asks you to sign a document" in phone_page
    assert signing.verification_code in phone_page
    report = validate_document(signed)
    assert report.valid, report
    assert [s.personal_code for s in report.signers] == [JANIS]
    assert flow.load(signing.id) is None
    assert "The signature is judged VALID." in pyhanko_cli_says_valid(signed, pki.test_ca(), tmp_path)


def test_a_signature_refused_in_the_app_is_cancelled() -> None:
    signing = _until_signature_requested(_start(JANIS))
    _answer_on_phone(JANIS, "refuse")

    with pytest.raises(Cancelled):
        _finish(signing)


def test_an_account_that_refuses_by_itself_is_cancelled_too() -> None:
    signing = _until_signature_requested(_start(REFUSES))

    with pytest.raises(Cancelled):
        _finish(signing)


def test_a_person_who_does_not_answer_times_out(settings: Any) -> None:
    settings.SMARTID_SIM_TIMEOUT_SECONDS = 0
    signing = _until_signature_requested(_start(TIMES_OUT))

    with pytest.raises(TimedOut):
        _finish(signing)


@pytest.mark.parametrize(
    ("code", "reason"),
    [(ADVANCED_ONLY, "level_not_qualified"), (UNKNOWN_CA, "untrusted_chain")],
    ids=["advanced certificate level", "unknown CA"],
)
def test_a_signing_certificate_the_portal_does_not_accept_is_refused_before_anything_is_signed(
    code: str, reason: str
) -> None:
    signing = _start(code)

    with pytest.raises(Refused) as refused:
        _until_signature_requested(signing)

    assert refused.value.reason == reason
    assert signing.stage == "certificate"
