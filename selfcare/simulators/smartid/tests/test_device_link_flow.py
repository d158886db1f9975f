"""Device-link sessions: the link the portal builds is checked like the app would, then answered."""

from __future__ import annotations

import base64
import hashlib
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import pytest

from selfcare.identity.methods.base import Cancelled
from selfcare.identity.methods.smartid.verification import raise_for_end_result
from selfcare.simulators.smartid import sessions
from selfcare.simulators.smartid.tests.conftest import RelyingParty, end_result

if TYPE_CHECKING:  # the test client's response type exists only in django-stubs
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

CALLBACK = "https://mans.tele2.lv/login/smartid/callback?state=abc123"


def _b64url_sha256(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")


def _open(rp: RelyingParty, link: str) -> Response:
    parts = urlsplit(link)
    assert parts.path == "/simulators/smartid/device-link"
    # The link is not URL-encoded (SK's rule); Base64URL values and our tokens need no encoding anyway.
    response = rp.client.get(f"{parts.path}?{parts.query}")
    return response


def _answer(rp: RelyingParty, answer: str, account: str = "15038512346") -> Response:
    response = rp.client.post(
        "/simulators/smartid/device-link/answer",
        {"session_token": rp.session["sessionToken"], "answer": answer, "account": account, "app_language": "en"},
    )
    return response


def test_starting_a_device_link_session_returns_what_the_portal_needs_to_build_links(rp: RelyingParty) -> None:
    session = rp.start_device_link()

    assert set(session) == {"sessionID", "sessionToken", "sessionSecret", "deviceLinkBase"}
    assert len(base64.b64decode(session["sessionSecret"], validate=True)) == 32
    assert session["deviceLinkBase"] == "http://testserver/simulators/smartid/device-link"


def test_a_correctly_built_qr_link_is_accepted_and_offers_the_demo_accounts(rp: RelyingParty) -> None:
    rp.start_device_link()

    response = _open(rp, rp.device_link("QR", elapsed_seconds=0))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Log in to DEMO as:" in html
    assert 'type="radio"' in html
    assert "Anna Bērziņa" in html


def test_a_link_with_a_tampered_auth_code_is_refused_with_a_clear_page(rp: RelyingParty) -> None:
    rp.start_device_link()
    link = rp.device_link("QR", elapsed_seconds=0)
    tampered = link[:-4] + ("AAAA" if not link.endswith("AAAA") else "BBBB")

    response = _open(rp, tampered)

    assert response.status_code == 403
    assert "authCode is wrong" in response.content.decode()
    assert _answer(rp, "confirm").status_code == 404  # the session was never opened


def test_a_link_claiming_another_elapsed_time_than_it_was_signed_for_is_refused(rp: RelyingParty) -> None:
    rp.start_device_link()
    link = rp.device_link("QR", elapsed_seconds=0).replace("elapsedSeconds=0", "elapsedSeconds=1")
    assert _open(rp, link).status_code == 403


def test_an_old_qr_link_is_refused(rp: RelyingParty) -> None:
    rp.start_device_link()
    session = sessions.load(rp.session["sessionID"])
    assert session is not None
    session.created_at -= 120
    sessions.save(session)

    stale = _open(rp, rp.device_link("QR", elapsed_seconds=0))
    fresh = _open(rp, rp.device_link("QR", elapsed_seconds=119))

    assert stale.status_code == 410
    assert "too old" in stale.content.decode()
    assert fresh.status_code == 200


def test_a_confirmed_qr_session_verifies_with_the_portals_own_checks(rp: RelyingParty) -> None:
    rp.start_device_link()
    assert _open(rp, rp.device_link("QR", elapsed_seconds=0)).status_code == 200

    response = _answer(rp, "confirm", account="22079018761")

    assert response.status_code == 200
    assert "return to the other screen" in response.content.decode()
    identity = rp.verify(rp.poll())
    assert identity.personal_code == "22079018761"
    assert identity.evidence["flow_type"] == "QR"


def test_refusing_a_device_link_ends_the_session_user_refused(rp: RelyingParty) -> None:
    rp.start_device_link()
    _open(rp, rp.device_link("QR", elapsed_seconds=0))

    _answer(rp, "refuse")

    with pytest.raises(Cancelled):
        raise_for_end_result(rp.poll())


def test_web2app_redirects_to_the_callback_with_the_secret_digest_and_the_challenge_verifier(
    rp: RelyingParty,
) -> None:
    rp.initial_callback_url = CALLBACK
    rp.start_device_link()
    assert _open(rp, rp.device_link("Web2App")).status_code == 200

    response = _answer(rp, "confirm")

    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(CALLBACK + "&sessionSecretDigest=")
    query = parse_qs(urlsplit(location).query)
    secret = base64.b64decode(rp.session["sessionSecret"])
    assert query["sessionSecretDigest"] == [_b64url_sha256(secret)]
    status = rp.poll()
    (verifier,) = query["userChallengeVerifier"]
    assert _b64url_sha256(verifier.encode("ascii")) == status["signature"]["userChallenge"]  # type: ignore[index]
    assert rp.verify(status).evidence["flow_type"] == "Web2App"


def test_a_qr_link_to_a_session_with_a_callback_leaves_the_callback_out_of_the_auth_code(rp: RelyingParty) -> None:
    rp.initial_callback_url = CALLBACK
    rp.start_device_link()
    assert _open(rp, rp.device_link("QR", elapsed_seconds=0)).status_code == 200
    _answer(rp, "confirm")
    assert rp.verify(rp.poll()).evidence["flow_type"] == "QR"


def test_a_link_to_an_ended_session_is_refused(rp: RelyingParty) -> None:
    rp.start_device_link()
    link = rp.device_link("QR", elapsed_seconds=0)
    _open(rp, link)
    _answer(rp, "refuse")

    assert _open(rp, link).status_code == 410
    assert end_result(rp.poll()) == "USER_REFUSED"


def test_a_link_with_an_unknown_session_token_is_refused(rp: RelyingParty) -> None:
    rp.start_device_link()
    link = rp.device_link("QR", elapsed_seconds=0).replace(rp.session["sessionToken"], "unknown-token")
    assert _open(rp, link).status_code == 404
