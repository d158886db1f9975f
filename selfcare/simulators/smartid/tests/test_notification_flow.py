"""Notification sessions answered on the phone page, and the accounts that answer by themselves."""

from __future__ import annotations

import pytest
from django.test import Client

from selfcare.identity.methods.base import Cancelled, Refused, TimedOut
from selfcare.identity.methods.smartid.protocol import verification_code
from selfcare.identity.methods.smartid.verification import raise_for_end_result
from selfcare.simulators.smartid import sessions
from selfcare.simulators.smartid.tests.conftest import ANNA, RelyingParty, end_result

PHONE = "/simulators/smartid/phone/"


def _answer_on_phone(client: Client, personal_code: str, session_id: str, answer: str) -> None:
    response = client.post(f"{PHONE}{personal_code.replace('-', '')}/{session_id}/", {"answer": answer})
    assert response.status_code == 302


def test_a_notification_confirmed_on_the_phone_verifies_with_the_portals_own_checks(rp: RelyingParty) -> None:
    session_id = rp.start_notification(ANNA)
    assert rp.poll()["state"] == "RUNNING"

    _answer_on_phone(rp.client, ANNA, session_id, "confirm")
    status = rp.poll()

    identity = rp.verify(status, expected_personal_code=ANNA)
    assert identity.personal_code == "15038512346"
    assert (identity.given_name, identity.family_name) == ("ANNA", "BĒRZIŅA")
    assert identity.level == "qualified"
    assert identity.evidence["flow_type"] == "Notification"
    assert identity.evidence["document_number"] == "PNOLV-150385-12346-SIM-Q"


def test_every_demo_person_can_log_in_including_a_new_format_code(rp: RelyingParty) -> None:
    session_id = rp.start_notification("32579104511")
    _answer_on_phone(rp.client, "32579104511", session_id, "confirm")
    assert rp.verify(rp.poll(), expected_personal_code="32579104511").family_name == "LIEPA"


@pytest.mark.parametrize(
    ("country", "code", "family_name"), [("EE", "49005120274", "TAMM"), ("LT", "38507201230", "KAZLAUSKAS")]
)
def test_an_estonian_and_a_lithuanian_person_log_in_by_their_pno_identifier(
    rp: RelyingParty, country: str, code: str, family_name: str
) -> None:
    etsi = f"PNO{country}-{code}"
    session_id = rp.start_notification(code, country)
    _answer_on_phone(rp.client, etsi, session_id, "confirm")

    identity = rp.verify(rp.poll(), expected_personal_code=etsi)

    assert (identity.country, identity.personal_code, identity.family_name) == (country, code, family_name)
    assert identity.evidence["document_number"] == f"{etsi}-SIM-Q"
    assert str(identity.evidence["certificate_subject"]).startswith(f"OU=AUTHENTICATION,CN={family_name}")


def test_a_certificate_of_another_country_with_the_same_digits_is_not_the_person_named(rp: RelyingParty) -> None:
    session_id = rp.start_notification("49005120274", "EE")
    _answer_on_phone(rp.client, "PNOEE-49005120274", session_id, "confirm")
    with pytest.raises(Refused) as refused:
        rp.verify(rp.poll(), expected_personal_code="PNOLT-49005120274")
    assert refused.value.reason == "identity_mismatch"


def test_the_phone_page_shows_the_request_with_the_same_verification_code_as_the_portal(rp: RelyingParty) -> None:
    rp.start_notification(ANNA)

    html = rp.client.get(f"{PHONE}15038512346/").content.decode()

    assert verification_code(rp.rp_challenge) in html
    assert "Pieslēgties Mans Tele2" in html
    assert "DEMO" in html
    assert 'hx-trigger="every 2s"' in html
    assert "<script>" not in html


def test_the_phone_index_lists_every_account(client: Client) -> None:
    html = client.get(PHONE).content.decode()
    for name in ("Anna Bērziņa", "Pēteris Ozols", "Līga Liepa", "Ivars Kalniņš", "Ilze Ozoliņa", "Dace Krūmiņa"):
        assert name in html


def test_the_phone_index_speaks_one_language_also_in_what_the_accounts_do(client: Client) -> None:
    # The simulators sit outside the language prefixes, so they speak the portal's default language, Latvian.
    html = client.get(PHONE).content.decode()
    for latvian in ("četru uzņēmumu galvenā lietotāja", "tikai ADVANCED līmenis", "Atsaka", "Neatbild laikā"):
        assert latvian in html
    for english in ("main user of four companies", "Refuses", "Times out", "Unknown CA", "new person"):
        assert english not in html


def test_refusing_on_the_phone_ends_the_session_user_refused(rp: RelyingParty) -> None:
    session_id = rp.start_notification(ANNA)
    _answer_on_phone(rp.client, ANNA, session_id, "refuse")

    status = rp.poll()

    assert end_result(status) == "USER_REFUSED"
    with pytest.raises(Cancelled):
        raise_for_end_result(status)
    assert "Confirm" not in rp.client.get(f"{PHONE}15038512346/").content.decode()


def test_the_refusing_account_refuses_as_soon_as_it_is_polled(rp: RelyingParty) -> None:
    rp.start_notification("020785-12348")
    assert end_result(rp.poll()) == "USER_REFUSED"


def test_the_timing_out_account_runs_until_the_delay_and_then_times_out(rp: RelyingParty) -> None:
    session_id = rp.start_notification("030975-13578")
    assert rp.poll()["state"] == "RUNNING"

    session = sessions.load(session_id)
    assert session is not None
    session.created_at -= 10  # older than SMARTID_SIM_TIMEOUT_SECONDS (3 s)
    sessions.save(session)
    status = rp.poll()

    assert end_result(status) == "TIMEOUT"
    with pytest.raises(TimedOut):
        raise_for_end_result(status)


def test_the_advanced_only_account_answers_advanced_and_the_portal_refuses_the_level(rp: RelyingParty) -> None:
    session_id = rp.start_notification("010590-11113")
    _answer_on_phone(rp.client, "010590-11113", session_id, "confirm")
    status = rp.poll()

    assert status["cert"] == {"value": status["cert"]["value"], "certificateLevel": "ADVANCED"}  # type: ignore[index]
    assert status["result"]["documentNumber"].endswith("-SIM-NQ")  # type: ignore[index]
    with pytest.raises(Refused) as refusal:
        rp.verify(status)
    assert refusal.value.reason == "level_not_qualified"


def test_the_unknown_ca_account_is_refused_by_the_chain_check(rp: RelyingParty) -> None:
    session_id = rp.start_notification("041180-14706")
    _answer_on_phone(rp.client, "041180-14706", session_id, "confirm")
    status = rp.poll()

    assert end_result(status) == "OK"
    with pytest.raises(Refused):
        rp.verify(status)


def test_another_persons_phone_cannot_answer_a_request(rp: RelyingParty) -> None:
    session_id = rp.start_notification(ANNA)
    response = rp.client.post(f"{PHONE}22079018761/{session_id}/", {"answer": "confirm"})
    assert response.status_code == 404
    assert rp.poll()["state"] == "RUNNING"


def test_the_phone_answer_needs_a_csrf_token(rp: RelyingParty) -> None:
    session_id = rp.start_notification(ANNA)
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(f"{PHONE}15038512346/{session_id}/", {"answer": "confirm"}).status_code == 403
