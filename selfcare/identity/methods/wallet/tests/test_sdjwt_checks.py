"""The SD-JWT VC checks one by one: each test breaks exactly one thing in an otherwise good presentation."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import pytest
from joserfc.jwk import ECKey

from selfcare.identity.methods.base import Refused, Unavailable
from selfcare.identity.methods.wallet.sdjwt import b64url, verify_presentation
from selfcare.identity.methods.wallet.statuslist import check_status
from selfcare.simulators.wallet import pid
from selfcare.simulators.wallet.accounts import account
from selfcare.simulators.wallet.pki import ensure_wallet_pki, pid_provider, untrusted_pid_provider

NONCE, AUDIENCE, STATUS_URI = "our-nonce", "x509_hash:ours", "https://pid-provider.test/status"


@pytest.fixture(autouse=True)
def _pki() -> None:
    ensure_wallet_pki()


def _present(key: str = "anna", *, nonce: str = NONCE, audience: str = AUDIENCE, **overrides: Any) -> str:
    holder = ECKey.generate_key("P-256")
    issuer_jwt, disclosures = pid.issue_pid(account(key), holder_key=holder, status_uri=STATUS_URI, **overrides)  # type: ignore[arg-type]
    return pid.present(issuer_jwt, list(disclosures.values()), holder_key=holder, nonce=nonce, audience=audience)


def _verify(presentation: str, *, revoked: set[int] | None = None, now: dt.datetime | None = None) -> dict[str, Any]:
    moment = now or dt.datetime.now(dt.UTC)
    trusted = (pid_provider().certificate,)

    def status(claim: Any) -> None:
        check_status(claim, trusted=trusted, now=moment, fetch=lambda uri: pid.status_list_token(uri, revoked=revoked))

    return verify_presentation(
        presentation, trusted=trusted, nonce=NONCE, audience=AUDIENCE, now=moment, check_status=status
    )


def test_a_good_presentation_gives_the_disclosed_claims() -> None:
    claims = _verify(_present())
    assert (claims["given_name"], claims["family_name"], claims["birthdate"]) == ("Anna", "Bērziņa", "1985-03-15")
    assert claims["personal_administrative_number"] == "15038512346"
    assert "_sd" not in claims


def test_a_pid_signed_by_an_untrusted_provider_is_refused() -> None:
    with pytest.raises(Refused) as refused:
        _verify(_present("untrusted"))
    assert refused.value.reason == "untrusted_issuer"


def test_a_pid_whose_signature_does_not_match_is_refused() -> None:
    issuer_jwt, rest = _present().split("~", 1)
    header, _payload, signature = issuer_jwt.split(".")
    forged = b64url(json.dumps({"iss": "x", "_sd": []}).encode())
    with pytest.raises(Refused) as refused:
        _verify(f"{header}.{forged}.{signature}~{rest}")
    assert refused.value.reason in ("bad_signature", "key_binding")


def test_an_altered_disclosure_is_refused() -> None:
    parts = _present().split("~")
    parts[1] = pid.disclosure("given_name", "Mallory")
    with pytest.raises(Refused) as refused:
        _verify("~".join(parts))
    assert refused.value.reason in ("disclosure_tampered", "key_binding")


def test_an_altered_disclosure_with_a_recomputed_key_binding_is_still_refused() -> None:
    holder = ECKey.generate_key("P-256")
    issuer_jwt, disclosures = pid.issue_pid(account("anna"), holder_key=holder, status_uri=STATUS_URI)  # type: ignore[arg-type]
    shown = [*disclosures.values(), pid.disclosure("given_name", "Mallory")]
    with pytest.raises(Refused) as refused:
        _verify(pid.present(issuer_jwt, shown, holder_key=holder, nonce=NONCE, audience=AUDIENCE))
    assert refused.value.reason == "disclosure_tampered"


def test_a_key_binding_signed_by_another_key_is_refused() -> None:
    holder, thief = ECKey.generate_key("P-256"), ECKey.generate_key("P-256")
    issuer_jwt, disclosures = pid.issue_pid(account("anna"), holder_key=holder, status_uri=STATUS_URI)  # type: ignore[arg-type]
    with pytest.raises(Refused) as refused:
        _verify(pid.present(issuer_jwt, list(disclosures.values()), holder_key=thief, nonce=NONCE, audience=AUDIENCE))
    assert refused.value.reason == "key_binding"


def test_a_presentation_without_key_binding_is_refused() -> None:
    presentation = _present()
    with pytest.raises(Refused) as refused:
        _verify(presentation[: presentation.rindex("~") + 1])
    assert refused.value.reason == "key_binding"


def test_a_presentation_made_for_another_nonce_is_refused() -> None:
    with pytest.raises(Refused) as refused:
        _verify(_present(nonce="someone-elses-nonce"))
    assert refused.value.reason == "wrong_nonce"


def test_a_presentation_made_for_another_verifier_is_refused() -> None:
    with pytest.raises(Refused) as refused:
        _verify(_present(audience="x509_hash:another-verifier"))
    assert refused.value.reason == "wrong_audience"


def test_an_expired_pid_is_refused() -> None:
    with pytest.raises(Refused) as refused:
        _verify(_present(exp=int(time.time()) - 3600))
    assert refused.value.reason == "credential_expired"


def test_a_key_binding_older_than_five_minutes_is_refused() -> None:
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)
    with pytest.raises(Refused) as refused:
        _verify(_present(), now=later)
    assert refused.value.reason == "key_binding_stale"


def test_a_revoked_pid_is_refused() -> None:
    with pytest.raises(Refused) as refused:
        _verify(_present("revoked"))
    assert refused.value.reason == "revoked"


def test_a_pid_whose_entry_in_the_status_list_is_valid_passes() -> None:
    assert _verify(_present("revoked"), revoked=set())["given_name"] == "Ilze"


def test_a_status_list_signed_by_an_untrusted_provider_makes_the_status_unknown() -> None:
    trusted = (pid_provider().certificate,)
    token = pid.status_list_token(STATUS_URI, issuer=untrusted_pid_provider())
    with pytest.raises(Unavailable) as unavailable:
        check_status(
            {"status_list": {"idx": 0, "uri": STATUS_URI}},
            trusted=trusted,
            now=dt.datetime.now(dt.UTC),
            fetch=lambda _: token,
        )
    assert unavailable.value.reason == "revocation_unavailable"
