"""The wallet login's protocol on the portal's side, in-process: the signed request, the encrypted answer, replays
and answers that do not belong to this browser's login."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from joserfc import jwe
from joserfc.jwk import ECKey

from selfcare.identity.methods.wallet.config import wallet_config
from selfcare.identity.methods.wallet.sdjwt import signer_key, trusted_leaf, unverified_header, verify_signed
from selfcare.identity.models import AuthenticationRecord
from selfcare.simulators.pki.testca import TestCA
from selfcare.simulators.wallet import pid
from selfcare.simulators.wallet.accounts import account

pytestmark = pytest.mark.django_db(transaction=True)


def _request(client: Client, flow: str = "qr") -> tuple[str, dict[str, Any]]:
    """Start a login; the request object's claims (checked as a wallet checks them) and its request_uri."""
    client.post("/en/login/wallet/start/")
    page = client.get("/en/login/wallet/wait/").content.decode()
    testid = "wallet-qr" if flow == "qr" else "wallet-same-device"
    attribute = "data-link" if flow == "qr" else "href"
    tag = page[page.index(f'data-testid="{testid}"') - 900 : page.index(f'data-testid="{testid}"') + 900]
    link = tag.split(f'{attribute}="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    query = parse_qs(urlsplit(link).query)
    request_uri = query["request_uri"][0]
    token = client.get(urlsplit(request_uri).path).content.decode()
    header = unverified_header(token)
    leaf = trusted_leaf(header["x5c"], (TestCA(settings.SELFCARE_PKI_DIR).root.certificate,), dt.datetime.now(dt.UTC))
    _, claims = verify_signed(token, signer_key(leaf), expected_typ={"oauth-authz-req+jwt"})
    assert query["client_id"][0] == claims["client_id"] == wallet_config().client_id
    return request_uri, claims


def _answer(claims: dict[str, Any], simulators_url: str, *, state: str | None = None) -> str:
    holder = ECKey.generate_key("P-256")
    status_uri = f"{simulators_url}/simulators/wallet/status/pid"
    issuer_jwt, disclosures = pid.issue_pid(account("anna"), holder_key=holder, status_uri=status_uri)  # type: ignore[arg-type]
    presentation = pid.present(
        issuer_jwt, list(disclosures.values()), holder_key=holder, nonce=claims["nonce"], audience=claims["client_id"]
    )
    payload = {"vp_token": {"pid": [presentation]}, "state": state or claims["state"]}
    key = claims["client_metadata"]["jwks"]["keys"][0]
    return jwe.encrypt_compact(
        {"alg": "ECDH-ES", "enc": "A128GCM", "kid": key["kid"]},
        json.dumps(payload).encode(),
        ECKey.import_key(key),
        algorithms=["ECDH-ES", "A128GCM"],
    )


def test_the_request_is_signed_by_our_access_certificate_and_asks_only_for_what_the_portal_needs() -> None:
    _, claims = _request(Client())
    assert (claims["response_type"], claims["response_mode"]) == ("vp_token", "direct_post.jwt")
    (query,) = claims["dcql_query"]["credentials"]
    assert query["format"] == "dc+sd-jwt"
    assert {c["path"][0] for c in query["claims"]} == {
        "family_name",
        "given_name",
        "birthdate",
        "issuing_country",
        "personal_administrative_number",
    }
    assert claims["client_metadata"]["jwks"]["keys"][0]["kty"] == "EC"
    assert "d" not in claims["client_metadata"]["jwks"]["keys"][0]


def test_a_good_answer_logs_in_the_browser_that_waits_for_it(simulators_url: str) -> None:
    browser = Client()
    _, claims = _request(browser)
    wallet = Client()
    assert (
        wallet.post(urlsplit(claims["response_uri"]).path, {"response": _answer(claims, simulators_url)}).json() == {}
    )
    response = browser.post("/en/login/wallet/status/")
    assert response.status_code == 302
    assert AuthenticationRecord.objects.filter(method="eudi-wallet", result="success").count() == 1


def test_an_answer_is_accepted_once(simulators_url: str) -> None:
    _, claims = _request(Client())
    answer = _answer(claims, simulators_url)
    path = urlsplit(claims["response_uri"]).path
    assert Client().post(path, {"response": answer}).status_code == 200
    assert Client().post(path, {"response": answer}).status_code == 400


def test_an_answer_for_another_state_is_refused_and_audited(simulators_url: str) -> None:
    browser = Client()
    _, claims = _request(browser)
    Client().post(urlsplit(claims["response_uri"]).path, {"response": _answer(claims, simulators_url, state="x")})
    browser.post("/en/login/wallet/status/")
    assert AuthenticationRecord.objects.get(method="eudi-wallet").reason == "state_mismatch"


def test_an_answer_not_encrypted_to_this_login_is_refused(simulators_url: str) -> None:
    browser = Client()
    _, claims = _request(browser)
    _, other = _request(Client())
    Client().post(urlsplit(claims["response_uri"]).path, {"response": _answer(other, simulators_url)})
    browser.post("/en/login/wallet/status/")
    assert AuthenticationRecord.objects.get(method="eudi-wallet").reason == "bad_encryption"


def test_a_same_device_return_with_another_response_code_logs_no_one_in(simulators_url: str) -> None:
    browser = Client()
    _, claims = _request(browser, flow="link")
    redirect_uri = Client().post(urlsplit(claims["response_uri"]).path, {"response": _answer(claims, simulators_url)})
    assert "response_code=" in redirect_uri.json()["redirect_uri"]
    response = browser.get("/en/login/wallet/return/?response_code=guessed")
    assert response.url.endswith("/en/login/wallet/")  # type: ignore[attr-defined]
    assert not AuthenticationRecord.objects.filter(result="success").exists()
