"""The Smart-ID v3 formulas, checked against SK's documented examples and independent recomputation."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from selfcare.identity.methods.smartid import protocol

SPEC_RP_CHALLENGE = "GYS+yoah6emAcVDNIajwSs6UB/M95XrDxMzXBUkwQJ9YFDipXXzGpPc7raWcuc2+TEoRc7WvIZ/7dU/iRXenYg=="
INTERACTIONS = protocol.encode_interactions([{"type": "displayTextAndPIN", "displayText60": "Log in"}])
SESSION_SECRET = base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()


def test_verification_code_matches_the_specification_example() -> None:
    assert protocol.verification_code(SPEC_RP_CHALLENGE) == "7180"


def test_verification_code_is_always_four_digits() -> None:
    codes = {protocol.verification_code(protocol.new_rp_challenge()) for _ in range(200)}
    assert all(len(code) == 4 and code.isdigit() for code in codes)


def test_new_rp_challenge_is_64_fresh_random_bytes_in_base64() -> None:
    first, second = protocol.new_rp_challenge(), protocol.new_rp_challenge()
    assert len(base64.b64decode(first, validate=True)) == 64
    assert first != second


def test_interactions_are_compact_json_in_base64() -> None:
    decoded = base64.b64decode(INTERACTIONS).decode()
    assert decoded == '[{"type":"displayTextAndPIN","displayText60":"Log in"}]'
    assert json.loads(decoded)[0]["type"] == "displayTextAndPIN"


def test_acsp_v2_payload_joins_the_documented_fields_with_the_interactions_hashed() -> None:
    payload = protocol.acsp_v2_payload(
        scheme_name="smart-id",
        server_random="c2VydmVy",
        rp_challenge=SPEC_RP_CHALLENGE,
        user_challenge="TLSjYRH2oYw8tW2bq0it0IUb7WIFkCLgF8NTc7-4Zq4",
        rp_name="DEMO",
        brokered_rp_name="",
        interactions_b64=INTERACTIONS,
        interaction_type_used="displayTextAndPIN",
        initial_callback_url="https://rp.example/cb?x=1",
        flow_type="Web2App",
    )
    interactions_hash = base64.b64encode(hashlib.sha256(INTERACTIONS.encode()).digest()).decode()
    assert payload.decode().split("|") == [
        "smart-id",
        "ACSP_V2",
        "c2VydmVy",
        SPEC_RP_CHALLENGE,
        "TLSjYRH2oYw8tW2bq0it0IUb7WIFkCLgF8NTc7-4Zq4",
        "REVNTw==",
        "",
        interactions_hash,
        "displayTextAndPIN",
        "https://rp.example/cb?x=1",
        "Web2App",
    ]
    assert INTERACTIONS not in payload.decode()


@pytest.mark.parametrize("flow_type", ["QR", "Notification"])
def test_acsp_v2_payload_has_an_empty_callback_url_in_flows_without_a_callback(flow_type: str) -> None:
    payload = protocol.acsp_v2_payload(
        scheme_name="smart-id",
        server_random="c2VydmVy",
        rp_challenge=SPEC_RP_CHALLENGE,
        user_challenge="u",
        rp_name="DEMO",
        brokered_rp_name="",
        interactions_b64=INTERACTIONS,
        interaction_type_used="displayTextAndPIN",
        initial_callback_url="https://rp.example/cb",
        flow_type=flow_type,
    )
    assert payload.decode().split("|")[9] == ""


def _link(**overrides: object) -> str:
    values: dict[str, object] = {
        "device_link_base": "https://smart-id.com/device-link/",
        "link_type": "QR",
        "elapsed_seconds": 3,
        "session_token": "wGQ3Uk2T",
        "lang": "lav",
        "session_secret_b64": SESSION_SECRET,
        "scheme_name": "smart-id",
        "rp_challenge": SPEC_RP_CHALLENGE,
        "rp_name": "Tele2",
        "brokered_rp_name": "",
        "interactions_b64": INTERACTIONS,
        "initial_callback_url": "",
    }
    values.update(overrides)
    return protocol.device_link(**values)  # type: ignore[arg-type]


def test_qr_device_link_parameters_come_in_the_fixed_order() -> None:
    unprotected, _, auth_code = _link().partition("&authCode=")
    assert unprotected == (
        "https://smart-id.com/device-link/?deviceLinkType=QR&elapsedSeconds=3&sessionToken=wGQ3Uk2T"
        "&sessionType=auth&version=1.0&lang=lav"
    )
    assert auth_code
    assert "=" not in auth_code


def test_web2app_device_link_has_no_elapsed_seconds() -> None:
    link = _link(link_type="Web2App", elapsed_seconds=None, initial_callback_url="https://rp.example/cb")
    assert link.startswith(
        "https://smart-id.com/device-link/?deviceLinkType=Web2App&sessionToken=wGQ3Uk2T&sessionType=auth"
    )
    assert "elapsedSeconds" not in link


def test_device_link_auth_code_is_the_hmac_of_the_documented_message() -> None:
    callback = "https://rp.example/cb?v=1"
    link = _link(link_type="App2App", elapsed_seconds=None, rp_name="Tele2 Mans", initial_callback_url=callback)
    unprotected, _, auth_code = link.partition("&authCode=")
    message = "|".join(
        [
            "smart-id",
            "ACSP_V2",
            SPEC_RP_CHALLENGE,
            base64.b64encode(b"Tele2 Mans").decode(),
            "",
            INTERACTIONS,
            callback,
            unprotected,
        ]
    )
    mac = hmac.new(base64.b64decode(SESSION_SECRET), message.encode(), hashlib.sha256).digest()
    assert auth_code == base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def test_the_auth_code_changes_every_second_of_a_qr_code() -> None:
    assert _link(elapsed_seconds=1).split("authCode=")[1] != _link(elapsed_seconds=2).split("authCode=")[1]


@pytest.mark.parametrize(("link_type", "elapsed_seconds"), [("QR", None), ("QR", -1), ("Web2App", 0), ("App2App", 5)])
def test_elapsed_seconds_is_required_for_qr_and_forbidden_otherwise(
    link_type: str, elapsed_seconds: int | None
) -> None:
    with pytest.raises(ValueError, match="elapsed"):
        _link(link_type=link_type, elapsed_seconds=elapsed_seconds)


def test_authentication_request_body_follows_the_v3_schema_without_a_nonce() -> None:
    body = protocol.authentication_request_body(
        rp_uuid="00000000-0000-4000-8000-000000000000",
        rp_name="DEMO",
        rp_challenge=SPEC_RP_CHALLENGE,
        certificate_level="QUALIFIED",
        interactions_b64=INTERACTIONS,
    )
    assert body == {
        "relyingPartyUUID": "00000000-0000-4000-8000-000000000000",
        "relyingPartyName": "DEMO",
        "certificateLevel": "QUALIFIED",
        "signatureProtocol": "ACSP_V2",
        "signatureProtocolParameters": {
            "rpChallenge": SPEC_RP_CHALLENGE,
            "signatureAlgorithm": "rsassa-pss",
            "signatureAlgorithmParameters": {"hashAlgorithm": "SHA-512"},
        },
        "interactions": INTERACTIONS,
    }


def test_notification_request_asks_for_a_numeric_verification_code() -> None:
    body = protocol.authentication_request_body(
        rp_uuid="u",
        rp_name="DEMO",
        rp_challenge=SPEC_RP_CHALLENGE,
        certificate_level="QUALIFIED",
        interactions_b64=INTERACTIONS,
        vc_type=True,
    )
    assert body["vcType"] == "numeric4"
    assert "nonce" not in body


def test_device_link_request_carries_the_callback_url() -> None:
    body = protocol.authentication_request_body(
        rp_uuid="u",
        rp_name="DEMO",
        rp_challenge=SPEC_RP_CHALLENGE,
        certificate_level="QUALIFIED",
        interactions_b64=INTERACTIONS,
        initial_callback_url="https://rp.example/cb?value=1",
    )
    assert body["initialCallbackUrl"] == "https://rp.example/cb?value=1"


@pytest.mark.parametrize(
    "url",
    ["http://rp.example/cb", "https://rp.example/cb#x", "https://rp.example/a|b", "https://x/" + "a" * 1800],
)
def test_callback_urls_that_could_break_the_signed_payload_are_rejected(url: str) -> None:
    with pytest.raises(ValueError, match="initialCallbackUrl"):
        protocol.check_callback_url(url)


@pytest.mark.parametrize("code", ["010117-21234", "01011721234"])
def test_etsi_identifier_formats_a_latvian_personal_code(code: str) -> None:
    assert protocol.etsi_identifier(code) == "PNOLV-010117-21234"


@pytest.mark.parametrize("code", ["0101172123", "010117+21234", "PNOLV-010117-21234", "01011721234\n"])
def test_etsi_identifier_rejects_anything_but_eleven_digits(code: str) -> None:
    with pytest.raises(ValueError, match="11 digits"):
        protocol.etsi_identifier(code)
