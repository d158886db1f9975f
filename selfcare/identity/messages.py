"""What a person is told when an eID login does not succeed: one translated message per kind of outcome.

Raw provider text never reaches a page. Messages do not say whether a person has an account with the provider.
"""

from __future__ import annotations

from selfcare.errors import ErrorCode
from selfcare.identity.methods.base import BadResponse, Cancelled, EidError, Refused, TimedOut, Unavailable

_REFUSAL_CODES = {
    "wrong_vc": ErrorCode.EID_WRONG_VC,
    "document_unusable": ErrorCode.EID_ACCOUNT_UNUSABLE,
    "account_unusable": ErrorCode.EID_ACCOUNT_UNUSABLE,
    "required_interaction_not_supported_by_app": ErrorCode.EID_APP_OUTDATED,
    "level_not_qualified": ErrorCode.EID_NOT_QUALIFIED,
    "policy_oids_missing": ErrorCode.EID_NOT_QUALIFIED,
    "identity_mismatch": ErrorCode.EID_IDENTITY_MISMATCH,
    "state_mismatch": ErrorCode.EID_LOGIN_EXPIRED,
    "no_personal_code": ErrorCode.EID_NO_PERSONAL_CODE,
    "unsupported_identity": ErrorCode.EID_NO_PERSONAL_CODE,
    "revoked": ErrorCode.EID_CERTIFICATE_REVOKED,
    "protocol_failure": ErrorCode.EID_PROTOCOL_FAILURE,
    # Smart-ID's 471 (no account of the level asked) and 472 (the person must open the app) come before anyone
    # confirmed anything: a message of their own would tell whoever typed the code that the person has an account
    # (PROTOCOLS.md §1.2, "do not show different UI messages per error code"). They read like "no account" (404);
    # the audit keeps the reason apart.
    # The EU wallet (identity/methods/wallet/sdjwt.py names these reasons).
    "untrusted_issuer": ErrorCode.EID_WALLET_UNTRUSTED,
    "suspended": ErrorCode.EID_WALLET_REVOKED,
    "credential_expired": ErrorCode.EID_WALLET_EXPIRED,
    "wrong_nonce": ErrorCode.EID_WALLET_NOT_FOR_THIS_LOGIN,
    "wrong_audience": ErrorCode.EID_WALLET_NOT_FOR_THIS_LOGIN,
    "key_binding": ErrorCode.EID_WALLET_NOT_FOR_THIS_LOGIN,
    "key_binding_stale": ErrorCode.EID_WALLET_NOT_FOR_THIS_LOGIN,
    "no_suitable_account": ErrorCode.EID_REFUSED,
    "check_app": ErrorCode.EID_REFUSED,
}
_UNAVAILABLE_CODES = {
    "revocation_unavailable": ErrorCode.EID_REVOCATION_UNAVAILABLE,
    "server_error": ErrorCode.EID_PROVIDER_ERROR,
    "maintenance": ErrorCode.EID_MAINTENANCE,
    "client_outdated": ErrorCode.EID_CLIENT_OUTDATED,
}
# A login whose OAuth state outlived its limit: the person did not time out in an app, the login link did.
_TIMEOUT_CODES = {"state_expired": ErrorCode.EID_LOGIN_EXPIRED}


def error_code_for(error: EidError, method: str = "") -> ErrorCode:
    if isinstance(error, Cancelled):
        if error.reason == "access_denied" and method == "eudi-wallet":
            return ErrorCode.EID_WALLET_DECLINED
        return ErrorCode.EID_CANCELLED_AT_BANK if error.reason == "cancelled_at_bank" else ErrorCode.EID_CANCELLED
    if isinstance(error, TimedOut):
        return _TIMEOUT_CODES.get(error.reason, ErrorCode.EID_TIMEOUT)
    if isinstance(error, Unavailable):
        return _UNAVAILABLE_CODES.get(error.reason, ErrorCode.EID_UNAVAILABLE)
    if isinstance(error, Refused):
        if error.reason == "revoked" and method == "eudi-wallet":
            return ErrorCode.EID_WALLET_REVOKED
        return _REFUSAL_CODES.get(error.reason, ErrorCode.EID_REFUSED)
    if isinstance(error, BadResponse):
        return ErrorCode.EID_REFUSED
    return ErrorCode.EID_REFUSED
