"""The simulated banks check the portal's signed request and exist only in the demo."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

BANKS = ("swedbank", "seb", "citadele", "luminor")


def _request_fields(client: Client, bank: str) -> dict[str, str]:
    return dict(client.post(f"/en/login/{bank}/").context["fields"])


@pytest.mark.parametrize("bank", BANKS)
def test_a_simulated_bank_shows_the_demo_persons_for_a_correctly_signed_request(client: Client, bank: str) -> None:
    response = Client().post(f"/simulators/banks/{bank}/", _request_fields(client, bank))
    assert response.status_code == 200
    assert "Anna Bērziņa" in response.content.decode()


@pytest.mark.parametrize("bank", BANKS)
def test_a_simulated_bank_refuses_an_altered_request(client: Client, bank: str) -> None:
    fields = _request_fields(client, bank)
    name = "xmldata" if bank == "citadele" else next(k for k in fields if k.endswith("RETURN"))
    fields[name] = fields[name][:-4] + ("AAAA" if bank == "citadele" else "evil")
    assert Client().post(f"/simulators/banks/{bank}/", fields).status_code == 400


def test_the_simulated_banks_answer_404_outside_the_demo(client: Client, settings: Any) -> None:
    settings.SELFCARE_DEMO = False
    assert client.post("/simulators/banks/swedbank/", {}).status_code == 404
