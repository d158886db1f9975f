"""Every way a Smart-ID login can end becomes a clear, translated message; none repeats provider text."""

import pytest
from django.utils import translation

from selfcare.errors import ErrorCode, message
from selfcare.identity.messages import error_code_for
from selfcare.identity.methods.base import BadResponse, EidError, Refused, Unavailable
from selfcare.identity.methods.smartid.verification import raise_for_end_result

END_RESULTS = {
    "USER_REFUSED": ErrorCode.EID_CANCELLED,
    "USER_REFUSED_CERT_CHOICE": ErrorCode.EID_CANCELLED,
    "USER_REFUSED_INTERACTION": ErrorCode.EID_CANCELLED,
    "TIMEOUT": ErrorCode.EID_TIMEOUT,
    "WRONG_VC": ErrorCode.EID_WRONG_VC,
    "DOCUMENT_UNUSABLE": ErrorCode.EID_ACCOUNT_UNUSABLE,
    "ACCOUNT_UNUSABLE": ErrorCode.EID_ACCOUNT_UNUSABLE,
    "REQUIRED_INTERACTION_NOT_SUPPORTED_BY_APP": ErrorCode.EID_APP_OUTDATED,
    "PROTOCOL_FAILURE": ErrorCode.EID_PROTOCOL_FAILURE,
    "EXPECTED_LINKED_SESSION": ErrorCode.EID_REFUSED,
    "SERVER_ERROR": ErrorCode.EID_PROVIDER_ERROR,
    "SOMETHING_NEW": ErrorCode.EID_REFUSED,
}


@pytest.mark.parametrize(("end_result", "code"), END_RESULTS.items())
def test_every_smart_id_end_result_has_its_message(end_result: str, code: ErrorCode) -> None:
    status = {"state": "COMPLETE", "result": {"endResult": end_result, "details": {"interaction": "displayTextAndPIN"}}}
    with pytest.raises(EidError) as error:
        raise_for_end_result(status)
    assert error_code_for(error.value) == code
    for language in ("lv", "en", "ru"):
        with translation.override(language):
            text = message(code)
        assert text
        assert end_result not in text


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (Refused("level_not_qualified"), ErrorCode.EID_NOT_QUALIFIED),
        (Refused("policy_oids_missing"), ErrorCode.EID_NOT_QUALIFIED),
        (Refused("identity_mismatch"), ErrorCode.EID_IDENTITY_MISMATCH),
        (Refused("untrusted_chain"), ErrorCode.EID_REFUSED),
        (Refused("bad_signature"), ErrorCode.EID_REFUSED),
        (BadResponse(reason="not_json"), ErrorCode.EID_REFUSED),
        (Unavailable(reason="provider_timeout"), ErrorCode.EID_UNAVAILABLE),
        (Refused("revoked"), ErrorCode.EID_CERTIFICATE_REVOKED),
        (Unavailable(reason="revocation_unavailable"), ErrorCode.EID_REVOCATION_UNAVAILABLE),
        (Unavailable(reason="maintenance"), ErrorCode.EID_MAINTENANCE),
        (Unavailable(reason="client_outdated"), ErrorCode.EID_CLIENT_OUTDATED),
        (Refused("check_app"), ErrorCode.EID_REFUSED),
        (Refused("no_suitable_account"), ErrorCode.EID_REFUSED),
    ],
)
def test_verification_failures_have_their_messages(error: EidError, code: ErrorCode) -> None:
    assert error_code_for(error) == code


def test_the_messages_are_translated_to_latvian_and_russian() -> None:
    with translation.override("en"):
        english = message(ErrorCode.EID_NOT_QUALIFIED)
    for language in ("lv", "ru"):
        with translation.override(language):
            assert message(ErrorCode.EID_NOT_QUALIFIED) != english
