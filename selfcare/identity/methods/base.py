"""The contract every eID method fulfils: a verified identity or one of a few errors.

A method (Smart-ID, eParaksts, a bank) starts its protocol, completes it, verifies the provider's answer in
full and returns a :class:`VerifiedIdentity`. Everything else is an :class:`EidError`; callers never see a
provider's raw exception or text, so the portal can show one translated message per ``code`` and log
``reason``.

Exception tree::

    EidError                 code="eid_error"         (never raised directly)
    ├── Cancelled            code="eid_cancelled"     the person refused or cancelled in their app
    ├── TimedOut             code="eid_timeout"       the person did not answer in time
    ├── Refused              code="eid_refused"       the answer arrived but must not be believed;
    │                                                 ``reason`` says why (untrusted_chain, ...)
    ├── Unavailable          code="eid_unavailable"   provider down, 5xx, maintenance (580), network error
    └── BadResponse          code="eid_bad_response"  the provider's answer is malformed
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class VerifiedIdentity:
    """Who the person is, as proven by a verified eID assertion.

    ``country`` + ``personal_code`` is the only key a person is linked on; both come from verified evidence
    (a certificate, a signed answer), never from a form field. Only the EU wallet may leave ``personal_code``
    empty (a PID without a national identifier; identity/services.py national_identifier).
    """

    method: str  # "smartid", "eparaksts-mobile", "swedbank", ...
    country: str  # "LV"
    personal_code: str  # normalised: 11 digits, no hyphen (LV); "" only from a wallet PID that states none
    given_name: str
    family_name: str
    level: str  # assurance, e.g. "high" or "qualified"
    evidence: Mapping[str, object]  # certificate fingerprint, subject, document number: for the audit trail


class EidError(Exception):
    """Base of all eID method errors; ``code`` is stable and keys the translated message."""

    code: str = "eid_error"

    def __init__(self, message: str = "", *, reason: str = "") -> None:
        super().__init__(message or reason or self.code)
        self.reason = reason


class Cancelled(EidError):
    """The person refused or cancelled the authentication in their app."""

    code = "eid_cancelled"


class TimedOut(EidError):
    """The person did not complete the authentication in time."""

    code = "eid_timeout"


class Refused(EidError):
    """The answer failed verification or policy; ``reason`` is a machine string for logs and the audit trail.

    Reasons in use: "untrusted_chain", "certificate_expired", "certificate_not_yet_valid", "revoked",
    "level_not_qualified", "policy_oids_missing", "key_usage", "bad_signature", "identity_mismatch",
    "unsupported_identity", "flow_not_offered", "missing_fields", "protocol", and lowercased provider end
    results such as "wrong_vc" or "document_unusable"; Smart-ID's "no_suitable_account" (HTTP 471) and
    "check_app" (472); for OAuth flows (eParaksts) "state_mismatch", "invalid_grant", "no_personal_code",
    "bad_personal_code", "userinfo_refused" and the provider's ``error``; for bank links "bad_signature",
    "wrong_receiver", "wrong_nonce", "replay", "browser_mismatch", "no_pending_login", "stale", "weak_hash"; for the
    EU wallet (methods/wallet/sdjwt.py) "untrusted_issuer", "credential_expired", "disclosure_tampered",
    "key_binding", "key_binding_stale", "wrong_nonce", "wrong_audience", "revoked", "suspended", "bad_encryption".
    """

    code = "eid_refused"

    def __init__(self, reason: str, message: str = "") -> None:
        super().__init__(message, reason=reason)


class Unavailable(EidError):
    """The provider cannot answer now: network error, HTTP 5xx, maintenance (Smart-ID 580, reason "maintenance"),
    our client too old (480, "client_outdated"), "server_error", "tls_pin_mismatch", or "revocation_unavailable"
    (no OCSP or CRL answer: the certificate's status cannot be learnt, so it is not believed)."""

    code = "eid_unavailable"


class BadResponse(EidError):
    """The provider's answer is malformed (not JSON, wrong types, unknown values)."""

    code = "eid_bad_response"
