"""`selfcare eid-check smartid` runs a whole authentication with the production client against the provider."""

from __future__ import annotations

import io
import json
import re
import threading
import time
from typing import Any

import pytest
from django.core.management import call_command

from selfcare.simulators.testing import SimulatorsClient

pytestmark = pytest.mark.django_db(transaction=True)


def _confirm_when_asked(code: str) -> None:
    phone = SimulatorsClient()
    for _ in range(100):
        html = phone.get(f"/simulators/smartid/phone/{code}/").content.decode()
        match = re.search(rf"/simulators/smartid/phone/{code}/[0-9a-f-]+/", html)
        if match:
            phone.post(match.group(0), {"answer": "confirm"})
            return
        time.sleep(0.1)
    raise AssertionError("the request never reached the phone")


def test_eid_check_prints_the_verified_identity_as_json(eid_simulators: str) -> None:
    out, err = io.StringIO(), io.StringIO()
    command = threading.Thread(
        target=call_command,
        args=("eid-check", "smartid", "--personal-code", "150385-12346"),
        kwargs={"stdout": out, "stderr": err},
    )
    command.start()
    _confirm_when_asked("15038512346")
    command.join(timeout=30)
    identity = json.loads(out.getvalue())
    assert identity["personal_code"] == "15038512346"
    assert identity["level"] == "qualified"
    assert "Verification code" in err.getvalue()


def test_eid_check_names_the_precise_reason_of_a_refusal_and_exits_non_zero(eid_simulators: str) -> None:
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("eid-check", "smartid", "--personal-code", "020785-12348", stdout=io.StringIO(), stderr=err)
    assert exit_.value.code == 1
    assert "REFUSED: Cancelled" in err.getvalue()
    assert "user_refused" in err.getvalue()


@pytest.mark.parametrize("method", ["eparaksts", "swedbank", "seb", "citadele", "luminor"])
def test_eid_check_confirms_a_complete_configuration_and_a_reachable_provider(eid_simulators: str, method: str) -> None:
    out = io.StringIO()
    call_command("eid-check", method, stdout=out, stderr=io.StringIO())
    lines = out.getvalue().splitlines()
    assert lines
    assert all(line.startswith("OK") for line in lines)
    assert any("answers" in line for line in lines)


def test_eid_check_reports_refused_eparaksts_client_credentials(eid_simulators: str, monkeypatch: Any) -> None:
    import dataclasses

    from selfcare.identity.methods.eparaksts import config

    # The simulator reads the same settings as the portal; only the portal's copy of the secret is wrong here.
    wrong = dataclasses.replace(config.eparaksts_config(), client_secret="not-the-secret")
    monkeypatch.setattr(config, "eparaksts_config", lambda: wrong)
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("eid-check", "eparaksts", stdout=io.StringIO(), stderr=err)
    assert "FAIL the token endpoint refused our client credentials" in err.getvalue()


def test_eid_check_reports_a_bank_that_does_not_answer(eid_simulators: str, settings: Any) -> None:
    settings.BANKLINK = {**settings.BANKLINK, "seb": {**settings.BANKLINK["seb"], "URL": "http://127.0.0.1:9/seb/"}}
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("eid-check", "seb", stdout=io.StringIO(), stderr=err)
    assert "does not answer" in err.getvalue()


def test_eid_check_accepts_client_credentials_whose_secret_needs_url_encoding(
    eid_simulators: str, settings: Any
) -> None:
    """The check authenticates as the login does, base64(urlenc(id):urlenc(secret)), not with plain Basic."""

    settings.EPARAKSTS_CLIENT_SECRET = "p+ss%w/rd:ēķ"
    out, err = io.StringIO(), io.StringIO()
    call_command("eid-check", "eparaksts", stdout=out, stderr=err)
    assert "the token endpoint accepts our client credentials" in out.getvalue()
    assert err.getvalue() == ""
