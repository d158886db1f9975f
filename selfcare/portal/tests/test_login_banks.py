"""Login with each bank, answered by the simulated bank's signer: success, and every answer that must be refused."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from selfcare.identity.methods.banklink import nonces
from selfcare.identity.methods.banklink.profiles import FormProfile, bank_profile
from selfcare.identity.methods.base import VerifiedIdentity
from selfcare.identity.models import AuthenticationRecord, AuthResult, DigitalIdentity
from selfcare.identity.services import identity_for
from selfcare.simulators.banks import responses
from selfcare.simulators.pki.testca import TestCA
from selfcare.tests.clock import at, riga

pytestmark = pytest.mark.django_db

BANKS = ("swedbank", "seb", "citadele", "luminor")
WITH_TIMESTAMP = ("seb", "citadele", "luminor")
# Banks that echo our nonce; SEB's historic answer echoes nothing, so its pending login is found by the cookie.
ECHOING = ("swedbank", "citadele", "luminor")
ANNA = responses.Person("15038512346", "Anna", "Bērziņa")


def _start(client: Client, bank: str) -> str:
    response = client.post(f"/en/login/{bank}/")
    assert response.status_code == 200
    assert f"Continue to {bank_profile(bank).name}" in response.content.decode()
    return str(client.session["banklink.pending"]["nonce"])


def _post(client: Client, bank: str, fields: dict[str, str]) -> Any:
    return client.post(f"/en/login/{bank}/answer/", fields)


def _answer(bank: str, nonce: str, **kwargs: Any) -> dict[str, str]:
    return responses.answer(bank_profile(bank), nonce=nonce, person=kwargs.pop("person", ANNA), **kwargs)


def _assert_refused(client: Client, response: Any, bank: str, reason: str, result: str = AuthResult.REFUSED) -> None:
    assert response.status_code == 302
    assert response["Location"] == "/en/login/"
    assert "_auth_user_id" not in client.session
    record = AuthenticationRecord.objects.filter(method=bank).latest("id")
    assert (record.result, record.reason, record.identity) == (result, reason, None)


@pytest.mark.parametrize("bank", BANKS)
def test_a_correct_answer_logs_the_person_into_the_same_identity_as_any_other_method(client: Client, bank: str) -> None:
    other = identity_for(VerifiedIdentity("smartid", "LV", ANNA.personal_code, "ANNA", "BĒRZIŅA", "qualified", {}))
    nonce = _start(client, bank)
    response = _post(client, bank, _answer(bank, nonce))
    assert response["Location"] == "/en/dashboard/"
    assert DigitalIdentity.objects.get() == other
    assert client.get("/en/me/").context["identity"] == other
    record = AuthenticationRecord.objects.get(method=bank)
    assert (record.result, record.identity) == (AuthResult.SUCCESS, other)


@pytest.mark.parametrize("bank", BANKS)
def test_an_answer_with_an_altered_field_is_refused(client: Client, bank: str) -> None:
    fields = _answer(bank, _start(client, bank))
    if bank == "citadele":
        fields["xmldata"] = fields["xmldata"].replace("15038512346", "22079018761")
    else:
        name = next(k for k, v in fields.items() if "BĒRZIŅA" in v)
        fields[name] = fields[name].replace("BĒRZIŅA", "OZOLA")
    _assert_refused(client, _post(client, bank, fields), bank, "bad_signature")


@pytest.mark.parametrize("bank", BANKS)
def test_an_answer_signed_by_another_key_is_refused(client: Client, bank: str) -> None:
    impostor = TestCA(_pki_dir()).issue_certificate("TEST impostor bank", label="banklink-impostor")
    fields = _answer(bank, _start(client, bank), key=impostor.private_key)
    _assert_refused(client, _post(client, bank, fields), bank, "bad_signature")


def _pki_dir() -> Any:
    from django.conf import settings

    return settings.SELFCARE_PKI_DIR


@pytest.mark.parametrize("bank", BANKS)
def test_the_same_answer_posted_twice_is_refused_the_second_time(client: Client, bank: str) -> None:
    fields = _answer(bank, _start(client, bank))
    assert _post(client, bank, fields)["Location"] == "/en/dashboard/"
    client.post("/en/logout/")
    _assert_refused(client, _post(client, bank, fields), bank, "replay" if bank in ECHOING else "no_pending_login")
    assert AuthenticationRecord.objects.filter(method=bank, result=AuthResult.SUCCESS).count() == 1


@pytest.mark.parametrize("bank", BANKS)
def test_an_answer_arriving_after_the_freshness_window_is_refused(
    client: Client, bank: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fields = _answer(bank, _start(client, bank))
    monkeypatch.setattr(nonces, "now", lambda: time.time() + 301)
    _assert_refused(client, _post(client, bank, fields), bank, "stale")


@pytest.mark.parametrize("bank", WITH_TIMESTAMP)
def test_an_answer_with_a_stale_timestamp_is_refused_even_for_a_fresh_nonce(client: Client, bank: str) -> None:
    fields = _answer(bank, _start(client, bank), moment=time.time() - 400)
    _assert_refused(client, _post(client, bank, fields), bank, "stale")


@pytest.mark.parametrize("bank", ECHOING)
def test_an_answer_to_a_nonce_we_did_not_issue_is_refused(client: Client, bank: str) -> None:
    _start(client, bank)
    fields = _answer(bank, "0" * 32)
    _assert_refused(client, _post(client, bank, fields), bank, "wrong_nonce")


@pytest.mark.parametrize("bank", BANKS)
def test_an_answer_posted_from_another_browser_is_refused(client: Client, bank: str) -> None:
    fields = _answer(bank, _start(client, bank))
    victim = Client()
    reason = "browser_mismatch" if bank in ECHOING else "no_pending_login"
    _assert_refused(victim, _post(victim, bank, fields), bank, reason)


def test_an_seb_answer_without_a_nonce_logs_in_only_the_browser_that_started_the_login(client: Client) -> None:
    """SEB's historic 0001 answer carries no IB_STAMP: the cookie and the single-use pending login bind it."""
    _start(client, "seb")
    fields = _answer("seb", "")
    assert "IB_STAMP" not in fields
    assert _post(Client(), "seb", fields)["Location"] == "/en/login/"
    assert _post(client, "seb", fields)["Location"] == "/en/dashboard/"


def test_an_seb_answer_needs_a_pending_login_that_has_not_expired(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    _start(client, "seb")
    monkeypatch.setattr(nonces, "now", lambda: time.time() + 301)
    fields = _answer("seb", "", moment=time.time() + 301)
    _assert_refused(client, _post(client, "seb", fields), "seb", "stale")


@pytest.mark.parametrize("bank", BANKS)
def test_a_cancel_at_the_bank_is_recorded_as_cancelled(client: Client, bank: str) -> None:
    fields = _answer(bank, _start(client, bank), person=None)
    _assert_refused(client, _post(client, bank, fields), bank, "cancelled_at_bank", AuthResult.CANCELLED)


@pytest.mark.parametrize("bank", BANKS)
def test_an_answer_signed_with_sha1_is_refused_unless_the_profile_allows_it(
    client: Client, bank: str, settings: Any
) -> None:
    fields = _answer(bank, _start(client, bank), hash_name="SHA-1")
    _assert_refused(client, _post(client, bank, fields), bank, "weak_hash")

    settings.BANKLINK = {**settings.BANKLINK, bank: {**settings.BANKLINK[bank], "HASH": "SHA-1"}}
    with pytest.raises(ImproperlyConfigured, match="ALLOW_SHA1"):
        bank_profile(bank)

    settings.BANKLINK = {**settings.BANKLINK, bank: {**settings.BANKLINK[bank], "ALLOW_SHA1": "true"}}
    fields = _answer(bank, _start(client, bank), hash_name="SHA-1")
    assert _post(client, bank, fields)["Location"] == "/en/dashboard/"


@pytest.mark.parametrize("bank", BANKS)
def test_outside_the_demo_a_bank_needs_https_and_its_own_keys(settings: Any, bank: str) -> None:
    settings.SELFCARE_DEMO = False
    settings.BANKLINK = {**settings.BANKLINK, bank: {"URL": "http://bank.example/"}}
    with pytest.raises(ImproperlyConfigured, match="https") as raised:
        bank_profile(bank)
    assert "PRIVATE_KEY" in str(raised.value)


def test_a_banks_field_names_come_from_its_profile_file_and_the_login_follows_them(
    client: Client, settings: Any, tmp_path: Any
) -> None:
    """The banks' current specifications are bilateral: an operator renames fields without touching code."""
    import json

    default = bank_profile("swedbank")
    assert isinstance(default, FormProfile)
    renamed = {
        "nonce_field": "VK_STAMP",
        "request_signed_fields": [f.replace("VK_NONCE", "VK_STAMP") for f in default.request_signed_fields],
        "response_signed_fields": [f.replace("VK_NONCE", "VK_STAMP") for f in default.response_signed_fields],
        "max_age_seconds": 120,
    }
    profile_file = tmp_path / "swedbank.json"
    profile_file.write_text(json.dumps(renamed), encoding="utf-8")
    settings.BANKLINK = {
        **settings.BANKLINK,
        "swedbank": {**settings.BANKLINK["swedbank"], "PROFILE": str(profile_file)},
    }
    profile = bank_profile("swedbank")
    assert isinstance(profile, FormProfile)
    assert (profile.nonce_field, profile.max_age_seconds) == ("VK_STAMP", 120)
    nonce = _start(client, "swedbank")
    fields = _answer("swedbank", nonce)
    assert "VK_STAMP" in fields
    assert "VK_NONCE" not in fields
    assert _post(client, "swedbank", fields)["Location"] == "/en/dashboard/"


def test_a_profile_file_naming_an_unknown_field_is_refused_at_start(settings: Any, tmp_path: Any) -> None:
    profile_file = tmp_path / "seb.json"
    profile_file.write_text('{"nonce_feld": "IB_STAMP"}', encoding="utf-8")
    settings.BANKLINK = {**settings.BANKLINK, "seb": {**settings.BANKLINK["seb"], "PROFILE": str(profile_file)}}
    with pytest.raises(ImproperlyConfigured, match="nonce_feld"):
        bank_profile("seb")


@pytest.mark.parametrize("bank", WITH_TIMESTAMP)
@pytest.mark.parametrize("fold", [0, 1], ids=["first-03:30", "second-03:30"])
def test_an_answer_in_the_hour_that_repeats_when_summer_time_ends_is_fresh_both_times(
    client: Client, bank: str, fold: int
) -> None:
    # The banks' timestamps carry no offset: 03:30 on 31 October 2027 happens twice in Riga.
    with at(riga(2027, 10, 31, 3, 30, fold=fold), tick=True):
        response = _post(client, bank, _answer(bank, _start(client, bank)))
    assert response["Location"] == "/en/dashboard/"


def test_the_login_page_posts_straight_to_the_bank_so_one_portal_page_comes_before_the_bank() -> None:
    from django.test import Client

    client = Client()
    html = client.get("/en/login/").content.decode()
    for bank in ("swedbank", "seb", "citadele", "luminor"):
        assert f'<form method="post" action="/en/login/{bank}/">' in html
    response = client.post("/en/login/swedbank/")  # what the button on the login page sends
    assert response.status_code == 200
    assert "Continue to Swedbank" in response.content.decode()
