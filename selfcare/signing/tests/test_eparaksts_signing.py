"""Signing a PDF with eParaksts through the simulator, over HTTP with the production client: the person logs in on
the platform (their signing identities), then approves exactly the digest the portal prepared, and the PDF comes
back signed and valid by the same validator as uploads; a cancel, a foreign state, a late return, a person with no
signing identity and a token used twice end with the eID error the portal shows."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from selfcare.identifiers import PersonalCode
from selfcare.identity.methods.base import Cancelled, Refused, TimedOut
from selfcare.identity.methods.eparaksts.config import eparaksts_config
from selfcare.mandates.signatures import validate_document
from selfcare.signing import flow, pades
from selfcare.signing.eparaksts import SigningIdentity, digests_summary
from selfcare.signing.tests.test_pades import pyhanko_cli_says_valid
from selfcare.simulators.pki.documents import simple_pdf
from selfcare.simulators.smartid import pki
from selfcare.simulators.testing import SimulatorsClient

pytestmark = pytest.mark.django_db(transaction=True)

JANIS = "12047811230"
CALLBACK = "http://testserver/signing/eparaksts/callback/"


def _start(code: str = JANIS) -> flow.Signing:
    return flow.start(
        pdf=simple_pdf("PILNVARA"),
        code=PersonalCode.parse(code),
        method="eparaksts",
        display_text="Sign the form",
        redirect_uri=CALLBACK,
        language="en",
    )


def _on_platform(url: str, answer: str = "confirm", account: str = JANIS) -> tuple[dict[str, str], str]:
    """The person on the platform's page at ``url``: confirm (as ``account`` where asked) or cancel; the query the
    browser brings back to the portal's callback, and the page the person saw."""
    platform = SimulatorsClient(HTTP_ACCEPT_LANGUAGE="en")
    parts = urlsplit(url)
    page = platform.get(f"{parts.path}?{parts.query}")
    assert page.status_code == 200, page.content
    html = page.content.decode()
    request_id = re.search(r'name="request_id" value="([^"]+)"', html)
    assert request_id is not None, html
    back = platform.post(
        "/simulators/eparaksts/trustedx-authserver/oauth/lvrtc-eipsign-as/answer",
        {"request_id": request_id.group(1), "answer": answer, "account": account},
    )
    assert back.status_code == 302
    location = urlsplit(back["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
    return {k: v[0] for k, v in parse_qs(location.query).items()}, html


def _return(signing: flow.Signing, query: dict[str, str]) -> bytes | None:
    state, code, error = (query.get(key, "") for key in ("state", "code", "error"))
    return flow.callback(signing, state=state, code=code, error=error)


def test_the_person_approves_the_digest_on_the_platform_and_the_pdf_comes_back_signed_and_valid(
    tmp_path: Path,
) -> None:
    signing = _start()
    assert signing.redirect_url.startswith(eparaksts_config().authorize_url)

    assert _return(signing, _on_platform(signing.redirect_url)[0]) is None
    assert signing.stage == "signature"
    query, consent_page = _on_platform(signing.redirect_url)
    signed = _return(signing, query)

    assert signed is not None
    prepared = pades.Prepared.from_dict(signing.prepared or {})
    assert digests_summary(prepared.to_sign) in consent_page  # what the person approved is what was signed
    report = validate_document(signed)
    assert report.valid, report
    assert [s.personal_code for s in report.signers] == [JANIS]
    assert flow.load(signing.id) is None
    assert "The signature is judged VALID." in pyhanko_cli_says_valid(signed, pki.test_ca(), tmp_path)


def test_a_person_who_cancels_the_signature_on_the_platform_is_cancelled() -> None:
    signing = _start()
    _return(signing, _on_platform(signing.redirect_url)[0])

    query, _page = _on_platform(signing.redirect_url, answer="cancel")

    with pytest.raises(Cancelled):
        _return(signing, query)


def test_a_return_with_another_state_is_refused_before_the_code_is_used() -> None:
    signing = _start()
    query, _page = _on_platform(signing.redirect_url)

    with pytest.raises(Refused) as refused:
        _return(signing, {**query, "state": "someone-elses"})

    assert refused.value.reason == "state_mismatch"
    assert signing.stage == "certificate"


def test_a_return_later_than_the_state_may_live_times_out(settings: Any) -> None:
    signing = _start()
    query, _page = _on_platform(signing.redirect_url)
    settings.EPARAKSTS_STATE_MAX_AGE_SECONDS = 0
    signing.session["at"] = 0

    with pytest.raises(TimedOut):
        _return(signing, query)


def test_a_person_logged_in_on_the_platform_as_someone_else_has_no_signing_identity_for_this_signing() -> None:
    signing = _start()  # started for Jānis, but Anna logs in on the platform
    query, _page = _on_platform(signing.redirect_url, account="15038512346")

    with pytest.raises(Refused) as refused:
        _return(signing, query)

    assert refused.value.reason == "no_signing_identity"


def test_a_consent_token_signs_once_only() -> None:
    signing = _start()
    _return(signing, _on_platform(signing.redirect_url)[0])
    query, _page = _on_platform(signing.redirect_url)
    client = flow._eparaksts()
    identity = SigningIdentity.from_dict(signing.chosen or {})
    digest = pades.Prepared.from_dict(signing.prepared or {}).to_sign
    client.signature(identity, digest, code=query["code"], redirect_uri=CALLBACK)

    with pytest.raises(Refused):  # the code is spent; a second token for it is never given
        client.signature(identity, digest, code=query["code"], redirect_uri=CALLBACK)
