"""Signing with Smart-ID by device link, over HTTP against the simulator: the person scans the QR code (its content
rebuilt each second, with the signing sessionType), chooses their certificate in that app, and the signature request
is linked to that session; the verification code is shown and the PDF comes back signed and valid. A QR code for
another person, or a refusal on the device-link page, signs nothing."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from selfcare.identifiers import PersonalCode
from selfcare.identity.methods.base import Cancelled, EidError, Refused
from selfcare.identity.methods.smartid.signing import SigningSession
from selfcare.mandates.signatures import validate_document
from selfcare.signing import flow
from selfcare.signing.tests.test_smartid_signing import JANIS, _answer_on_phone, _finish
from selfcare.simulators.pki.documents import simple_pdf
from selfcare.simulators.testing import SimulatorsClient

pytestmark = pytest.mark.django_db(transaction=True)


def _start() -> flow.Signing:
    return flow.start(
        pdf=simple_pdf("PILNVARA"),
        code=PersonalCode.parse(JANIS),
        method="smartid",
        display_text="Sign the form",
        device_link=True,
    )


def _scan(link: str, account: str, answer: str = "confirm") -> str:
    """The app opens the QR code's link and the person answers as ``account``; the page they saw."""
    app = SimulatorsClient(HTTP_ACCEPT_LANGUAGE="en")
    parts = urlsplit(link)
    opened = app.get(f"{parts.path}?{parts.query}")
    assert opened.status_code == 200, opened.content
    html = opened.content.decode()
    token = re.search(r'name="session_token" value="([^"]+)"', html)
    assert token is not None
    app.post(
        "/simulators/smartid/device-link/answer",
        {"session_token": token.group(1), "app_language": "en", "answer": answer, "account": account},
    )
    return html


def test_the_person_scans_the_qr_code_chooses_the_certificate_and_signs_the_linked_request() -> None:
    signing = _start()
    link = flow.qr_link(signing)
    query = parse_qs(urlsplit(link).query)
    assert query["deviceLinkType"] == ["QR"]
    assert query["sessionType"] == ["cert"]
    assert flow.advance(signing, timeout_ms=0) is None
    assert signing.stage == "certificate"

    page = _scan(link, JANIS)
    assert flow.advance(signing, timeout_ms=0) is None
    assert signing.stage == "signature"
    assert flow.qr_link(signing) == ""
    assert re.fullmatch(r"\d{4}", signing.verification_code)
    phone_page = _answer_on_phone(JANIS, "confirm")
    signed = _finish(signing)

    assert "your signing certificate" in page
    assert signing.verification_code in phone_page
    report = validate_document(signed)
    assert report.valid, report
    assert [s.personal_code for s in report.signers] == [JANIS]


def test_a_certificate_of_another_person_chosen_in_the_app_is_refused_before_anything_is_signed() -> None:
    signing = _start()
    _scan(flow.qr_link(signing), "15038512346")

    with pytest.raises(Refused) as refused:
        flow.advance(signing, timeout_ms=0)

    assert refused.value.reason == "identity_mismatch"
    assert signing.stage == "certificate"


def test_a_refusal_on_the_device_link_page_cancels_the_signing() -> None:
    signing = _start()
    _scan(flow.qr_link(signing), JANIS, answer="refuse")

    with pytest.raises(Cancelled):
        flow.advance(signing, timeout_ms=0)


def test_a_linked_signature_request_without_a_device_link_behind_it_is_refused_by_the_service() -> None:
    signing = flow.start(
        pdf=simple_pdf("PILNVARA"), code=PersonalCode.parse(JANIS), method="smartid", display_text="Sign the form"
    )
    session = SigningSession.from_dict(signing.session)
    client = flow._client()
    chosen = client.certificate(session, timeout_ms=0)
    assert chosen is not None

    with pytest.raises(EidError):  # a notification's certificate choice is not a device link to link to
        client.start_signature(chosen, bytes(32), display_text="x", linked_session_id=session.session_id)
