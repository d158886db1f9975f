"""The wallet simulator checks the portal's request as a wallet does before it shows anything."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from selfcare.identity.methods.wallet.verifier import start_transaction
from selfcare.simulators.testing import SimulatorsClient

pytestmark = pytest.mark.django_db(transaction=True)


def _request_uri(live_server: Any) -> tuple[str, str]:
    client = Client()
    client.post("/en/login/wallet/start/")
    html = client.get("/en/login/wallet/wait/").content.decode()
    link = html.split('data-link="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    query = parse_qs(urlsplit(link).query)
    return query["client_id"][0], live_server.url + urlsplit(query["request_uri"][0]).path


def test_the_wallet_shows_what_a_correctly_signed_request_asks_for(live_server: Any) -> None:
    client_id, request_uri = _request_uri(live_server)
    page = SimulatorsClient().get("/simulators/wallet/authorize", {"client_id": client_id, "request_uri": request_uri})
    assert page.status_code == 200
    assert "personal_administrative_number" in page.content.decode()


def test_the_wallet_refuses_a_request_whose_client_id_is_not_the_signers_certificate(live_server: Any) -> None:
    _, request_uri = _request_uri(live_server)
    page = SimulatorsClient().get(
        "/simulators/wallet/authorize", {"client_id": "x509_hash:someone-else", "request_uri": request_uri}
    )
    assert page.status_code == 400


def test_the_wallet_refuses_a_request_that_cannot_be_fetched(live_server: Any) -> None:
    transaction = start_transaction()
    gone = f"{live_server.url}/en/login/wallet/request/not-{transaction.id}/qr/"
    page = SimulatorsClient().get("/simulators/wallet/authorize", {"client_id": "x", "request_uri": gone})
    assert page.status_code == 400
