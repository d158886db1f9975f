"""The load test's demo switch: a demo person listed in SMARTID_SIM_AUTO_CONFIRM confirms on their simulated phone
by itself, so many simulated people can log in at once; anyone else still waits for the phone page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from selfcare.identity.models import AuthenticationRecord, AuthResult

pytestmark = pytest.mark.django_db(transaction=True)

ANNA, PETERIS = "15038512346", "22079018761"


def test_a_listed_demo_person_is_logged_in_without_the_phone_page_and_others_still_wait(
    client: Client, eid_simulators: str, settings: Any
) -> None:
    settings.SMARTID_SIM_AUTO_CONFIRM = ["150385-12346"]
    client.post("/en/login/smart-id/notification/", {"personal_code": ANNA})
    assert client.post("/en/login/smart-id/status/")["Location"] != "/en/login/smart-id/wait/"
    assert AuthenticationRecord.objects.get().result == AuthResult.SUCCESS

    other = Client()
    other.post("/en/login/smart-id/notification/", {"personal_code": PETERIS})
    assert other.post("/en/login/smart-id/status/")["Location"] == "/en/login/smart-id/wait/"
    assert not other.session.get("_auth_user_id")
