"""verify_authentication believes a Smart-ID answer only when every check of PROTOCOLS.md §1.4 passes."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import datetime as dt
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from selfcare.identity.methods.base import BadResponse, Cancelled, EidError, Refused, TimedOut, Unavailable
from selfcare.identity.methods.smartid import protocol
from selfcare.identity.methods.smartid.tests.conftest import DELETE, PERSONAL_CODE, Login, altered
from selfcare.identity.methods.smartid.verification import SmartIdPolicy
from selfcare.revocation import RevocationChecker
from selfcare.revocation.fetch import RevocationFetcher
from selfcare.simulators.pki.smartid_signer import ended_session_status, running_session_status
from selfcare.simulators.pki.testca import TestCA
from selfcare.simulators.pki.transport import pki_transport


def _refused(login: Login, status: dict[str, object], reason: str, **kwargs: object) -> Refused:
    with pytest.raises(Refused) as caught:
        login.verify(status, **kwargs)  # type: ignore[arg-type]
    assert caught.value.reason == reason
    assert caught.value.code == "eid_refused"
    return caught.value


# -- what a correct answer gives -----------------------------------------------------------------------------


def test_a_correct_answer_gives_the_person_from_the_certificate(login: Login) -> None:
    identity = login.verify(login.answer())
    assert (identity.method, identity.country, identity.personal_code) == ("smartid", "LV", "01011721234")
    assert (identity.given_name, identity.family_name, identity.level) == ("FORENAME", "SURNAME", "qualified")


def test_a_correct_answer_records_the_evidence_for_the_audit_trail(login: Login) -> None:
    status = login.answer()
    evidence = login.verify(status).evidence
    assert evidence["document_number"] == "PNOLV-010117-21234-MOCK-Q"
    assert evidence["flow_type"] == "QR"
    assert evidence["interaction_type_used"] == "displayTextAndPIN"
    assert evidence["certificate_level"] == "QUALIFIED"
    assert evidence["certificate_sha256"] == login.person.certificate.fingerprint(hashes.SHA256()).hex()
    assert "PNOLV-010117-21234" in str(evidence["certificate_subject"])


@pytest.mark.parametrize("expected", [PERSONAL_CODE, PERSONAL_CODE.replace("-", "")])
def test_the_person_named_at_the_start_is_accepted_when_the_certificate_names_them(login: Login, expected: str) -> None:
    assert login.verify(login.answer(), expected_personal_code=expected).personal_code == "01011721234"


def test_a_web2app_answer_signs_the_callback_url(login: Login) -> None:
    login.initial_callback_url = "https://selfcare.example/smartid/callback?value=RrKjjT4a"
    assert login.verify(login.answer(flow_type="Web2App")).evidence["flow_type"] == "Web2App"
    with pytest.raises(Refused, match="signature"):
        login.verify(login.answer(flow_type="Web2App"), initial_callback_url="https://other.example/cb")


def test_a_qr_answer_verifies_although_the_session_also_had_a_callback_url(login: Login) -> None:
    login.initial_callback_url = "https://selfcare.example/smartid/callback?value=RrKjjT4a"
    assert login.verify(login.answer(flow_type="QR")).personal_code == "01011721234"


@pytest.mark.parametrize("hash_algorithm", ["SHA-256", "SHA-384", "SHA-512"])
def test_every_accepted_hash_algorithm_verifies(login: Login, hash_algorithm: str) -> None:
    assert login.verify(login.answer(hash_algorithm=hash_algorithm)).level == "qualified"


def test_verification_works_from_inside_an_event_loop(login: Login) -> None:
    status = login.answer()

    async def in_async_code() -> str:
        return login.verify(status).personal_code

    assert asyncio.run(in_async_code()) == "01011721234"


# -- altered or misattributed answers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [("signature.serverRandom", "AAAAAAAAAAAAAAAAAAAAAAAA"), ("signature.userChallenge", "x" * 43)],
)
def test_an_answer_whose_server_values_were_altered_is_refused(login: Login, field: str, value: str) -> None:
    _refused(login, altered(login.answer(), field, value), "bad_signature")


def test_an_answer_for_another_rp_challenge_is_refused(login: Login) -> None:
    _refused(login, login.answer(), "bad_signature", rp_challenge=protocol.new_rp_challenge())


def test_an_answer_for_other_interactions_is_refused(login: Login) -> None:
    other = protocol.encode_interactions([{"type": "displayTextAndPIN", "displayText60": "Pay 1000 EUR"}])
    _refused(login, login.answer(), "bad_signature", interactions_b64=other)


def test_an_answer_for_another_relying_party_name_is_refused(login: Login) -> None:
    _refused(login, login.answer(), "bad_signature", rp_name="Other shop")


def test_an_answer_signed_under_another_scheme_name_is_refused(login: Login) -> None:
    _refused(login, login.answer(scheme_name="smart-id-demo"), "bad_signature")


def test_an_answer_signed_by_another_key_is_refused(login: Login, ca: TestCA) -> None:
    impostor = ca.smartid_person("320000-00008", "Other", "Person")
    _refused(login, login.answer(signer=impostor), "bad_signature")


def test_an_interaction_that_was_not_offered_is_refused(login: Login) -> None:
    _refused(login, login.answer(interaction_type_used="confirmationMessage"), "protocol")


# -- certificate: chain, dates, policy, usage, level ---------------------------------------------------------


def test_a_certificate_from_an_unknown_ca_is_refused(login: Login, ca: TestCA) -> None:
    login.person = ca.smartid_person(PERSONAL_CODE, "Forename", "Surname", untrusted=True)
    _refused(login, login.answer(), "untrusted_chain")


def test_a_chain_is_not_trusted_without_the_configured_intermediate(login: Login, ca: TestCA) -> None:
    without_intermediate = SmartIdPolicy(trust_anchors=ca.trust_anchors)
    _refused(login, login.answer(), "untrusted_chain", policy=without_intermediate)


def test_the_issuing_ca_alone_is_not_an_anchor_for_the_unknown_root(login: Login, ca: TestCA) -> None:
    login.person = ca.smartid_person(PERSONAL_CODE, "Forename", "Surname", untrusted=True)
    only_unknown = SmartIdPolicy(trust_anchors=ca.trust_anchors, intermediates=[ca.unknown_root.certificate])
    _refused(login, login.answer(), "untrusted_chain", policy=only_unknown)


def test_an_expired_certificate_is_refused(login: Login, ca: TestCA) -> None:
    login.person = ca.smartid_person(PERSONAL_CODE, "Forename", "Surname", expired=True)
    _refused(login, login.answer(), "certificate_expired")


def test_validity_is_judged_at_the_policy_clock(login: Login) -> None:
    def later() -> dt.datetime:
        return dt.datetime.now(dt.UTC) + dt.timedelta(days=4 * 365)

    def earlier() -> dt.datetime:
        return dt.datetime.now(dt.UTC) - dt.timedelta(days=30)

    status = login.answer()
    _refused(login, status, "certificate_expired", policy=dataclasses.replace(login.policy, clock=later))
    _refused(login, status, "certificate_not_yet_valid", policy=dataclasses.replace(login.policy, clock=earlier))


def test_advanced_level_in_the_answer_is_refused_when_qualified_is_required(login: Login) -> None:
    _refused(login, login.answer(certificate_level="ADVANCED"), "level_not_qualified")


def test_an_advanced_certificate_claimed_as_qualified_is_refused(login: Login, ca: TestCA) -> None:
    login.person = ca.smartid_person(PERSONAL_CODE, "Forename", "Surname", level="ADVANCED")
    _refused(login, login.answer(certificate_level="QUALIFIED"), "level_not_qualified")


def test_an_advanced_certificate_is_accepted_when_the_policy_allows_advanced(login: Login, ca: TestCA) -> None:
    login.person = ca.smartid_person(PERSONAL_CODE, "Forename", "Surname", level="ADVANCED")
    advanced = dataclasses.replace(login.policy, required_level="ADVANCED")
    identity = login.verify(login.answer(certificate_level="QUALIFIED"), policy=advanced)
    assert identity.level == "advanced"


def test_a_certificate_without_the_smart_id_policy_oids_is_refused(login: Login, ca: TestCA) -> None:
    login.person = ca.issue_certificate("Some signer", label="generic-signer-for-smartid-test")
    _refused(login, login.answer(), "policy_oids_missing")


def test_a_certificate_without_the_authentication_key_usage_is_refused(login: Login, ca: TestCA) -> None:
    login.person = ca.smartid_person(
        PERSONAL_CODE,
        "Forename",
        "Surname",
        extended_key_usage=("1.3.6.1.5.5.7.3.2",),  # clientAuth without keyEncipherment/dataEncipherment
        label="smartid-client-auth-only",
    )
    _refused(login, login.answer(), "key_usage")


def test_a_different_personal_code_than_the_one_entered_is_refused(login: Login) -> None:
    _refused(login, login.answer(), "identity_mismatch", expected_personal_code="320000-00008")


def test_the_personal_code_is_never_taken_from_the_common_name(login: Login) -> None:
    identity = login.verify(login.answer())
    common_name = login.person.certificate.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value
    assert "0101" not in str(common_name)
    assert identity.personal_code == "01011721234"


# -- the session result and the shape of the answer ----------------------------------------------------------


@pytest.mark.parametrize(
    ("end_result", "error"),
    [
        ("USER_REFUSED", Cancelled),
        ("USER_REFUSED_INTERACTION", Cancelled),
        ("USER_REFUSED_CERT_CHOICE", Cancelled),
        ("TIMEOUT", TimedOut),
        ("WRONG_VC", Refused),
        ("DOCUMENT_UNUSABLE", Refused),
        ("ACCOUNT_UNUSABLE", Refused),
        ("REQUIRED_INTERACTION_NOT_SUPPORTED_BY_APP", Refused),
        ("PROTOCOL_FAILURE", Refused),
        ("EXPECTED_LINKED_SESSION", Refused),
        ("SERVER_ERROR", Unavailable),
        ("SOMETHING_NEW", BadResponse),
    ],
)
def test_each_unsuccessful_end_result_becomes_its_error(login: Login, end_result: str, error: type[EidError]) -> None:
    with pytest.raises(error) as caught:
        login.verify(ended_session_status(end_result, interaction="displayTextAndPIN"))
    assert type(caught.value) is error
    if error is Refused:
        assert caught.value.reason == end_result.lower()


def test_every_error_class_has_its_own_stable_code() -> None:
    codes = [cls.code for cls in (Cancelled, TimedOut, Refused, Unavailable, BadResponse)]
    assert codes == ["eid_cancelled", "eid_timeout", "eid_refused", "eid_unavailable", "eid_bad_response"]


def test_a_running_session_is_not_a_result(login: Login) -> None:
    with pytest.raises(BadResponse):
        login.verify(running_session_status())


REQUIRED_FIELDS = [
    "result.endResult",
    "result.documentNumber",
    "signatureProtocol",
    "signature",
    "signature.value",
    "signature.serverRandom",
    "signature.userChallenge",
    "signature.flowType",
    "signature.signatureAlgorithm",
    "signature.signatureAlgorithmParameters",
    "signature.signatureAlgorithmParameters.hashAlgorithm",
    "signature.signatureAlgorithmParameters.maskGenAlgorithm",
    "signature.signatureAlgorithmParameters.saltLength",
    "cert",
    "cert.value",
    "cert.certificateLevel",
    "interactionTypeUsed",
]


@pytest.mark.parametrize("field", REQUIRED_FIELDS)
def test_an_answer_missing_a_required_field_is_refused(login: Login, field: str) -> None:
    _refused(login, altered(login.answer(), field, DELETE), "missing_fields")


def test_a_protocol_other_than_acsp_v2_is_refused(login: Login) -> None:
    _refused(login, altered(login.answer(), "signatureProtocol", "RAW_DIGEST_SIGNATURE"), "protocol")


@pytest.mark.parametrize("salt_length", [32, 0, "64"])
def test_a_salt_length_other_than_the_hash_length_is_refused(login: Login, salt_length: object) -> None:
    status = altered(login.answer(), "signature.signatureAlgorithmParameters.saltLength", salt_length)
    _refused(login, status, "protocol")


def test_a_mask_generation_hash_other_than_the_signature_hash_is_refused(login: Login) -> None:
    field = "signature.signatureAlgorithmParameters.maskGenAlgorithm.parameters.hashAlgorithm"
    _refused(login, altered(login.answer(), field, "SHA-256"), "protocol")


def test_a_weak_or_unknown_hash_algorithm_is_refused(login: Login) -> None:
    status = altered(login.answer(), "signature.signatureAlgorithmParameters.hashAlgorithm", "SHA-1")
    _refused(login, status, "protocol")


def test_a_flow_type_that_was_not_offered_is_refused(login: Login) -> None:
    _refused(login, login.answer(flow_type="App2App"), "flow_not_offered")


def test_a_flow_type_the_policy_does_not_allow_is_refused(login: Login) -> None:
    qr_only = dataclasses.replace(login.policy, allowed_flow_types=frozenset({"QR"}))
    _refused(login, login.answer(flow_type="Web2App"), "flow_not_offered", policy=qr_only)


def test_a_certificate_that_is_not_der_is_a_bad_response(login: Login) -> None:
    status = altered(login.answer(), "cert.value", base64.b64encode(b"not a certificate").decode())
    with pytest.raises(BadResponse):
        login.verify(status)


def test_a_signature_that_is_not_base64_is_a_bad_response(login: Login) -> None:
    with pytest.raises(BadResponse):
        login.verify(altered(login.answer(), "signature.value", "***"))


# -- policy configuration and the revocation hook ------------------------------------------------------------


def test_a_policy_without_trust_anchors_cannot_be_built() -> None:
    with pytest.raises(ValueError, match="trust anchor"):
        SmartIdPolicy(trust_anchors=[])


def _checking(policy: SmartIdPolicy, ca: TestCA, *, hard_fail: bool = True) -> SmartIdPolicy:
    """The policy with the production revocation check, asking this test PKI's OCSP responder and CRLs."""
    fetcher = RevocationFetcher(timeout=2, cache_max_seconds=0, mounts=pki_transport(ca))
    return dataclasses.replace(policy, revocation_check=RevocationChecker(fetcher, hard_fail=hard_fail))


def test_a_certificate_its_ocsp_responder_calls_good_is_accepted(login: Login, ca: TestCA) -> None:
    assert login.verify(login.answer(), policy=_checking(login.policy, ca)).personal_code == "01011721234"


def test_a_revoked_but_unexpired_certificate_is_refused(login: Login, ca: TestCA) -> None:
    login.person = ca.smartid_person("211080-12348", "Revoked", "Person")
    ca.revoke(login.person)
    _refused(login, login.answer(), "revoked", policy=_checking(login.policy, ca))


def test_a_certificate_accepted_once_and_revoked_since_is_refused_at_the_next_login(login: Login, ca: TestCA) -> None:
    # The path validator's parse of a certificate is kept between logins (selfcare.revocation.check.asn1_certificate);
    # its status is not: each login asks again and judges the new answer.
    login.person = ca.smartid_person("211080-12348", "Revoked", "Later", label="revoked-after-a-login")
    policy = _checking(login.policy, ca)
    assert login.verify(login.answer(), policy=policy).family_name == "LATER"
    ca.revoke(login.person, at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5))
    _refused(login, login.answer(), "revoked", policy=policy)


def test_when_neither_ocsp_nor_crl_answers_the_login_is_unavailable_not_accepted(
    login: Login, ca: TestCA, settings: Any
) -> None:
    settings.SIMULATOR_PKI_OCSP_DOWN = True
    settings.SIMULATOR_PKI_CRL_DOWN = True
    with pytest.raises(Unavailable) as raised:
        login.verify(login.answer(), policy=_checking(login.policy, ca))
    assert raised.value.reason == "revocation_unavailable"


def test_a_certificate_issued_by_a_person_rather_than_a_ca_is_refused(login: Login, ca: TestCA) -> None:
    # A valid person certificate used as an "intermediate": only basic constraints stop this chain.
    forger = ca.smartid_person("320000-00008", "Other", "Person")
    forged = (
        x509.CertificateBuilder()
        .subject_name(login.person.certificate.subject)
        .issuer_name(forger.certificate.subject)
        .public_key(login.person.private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(login.person.certificate.not_valid_before_utc)
        .not_valid_after(login.person.certificate.not_valid_after_utc)
    )
    for extension in login.person.certificate.extensions:
        if not isinstance(extension.value, x509.AuthorityKeyIdentifier):
            forged = forged.add_extension(extension.value, critical=extension.critical)
    login.person = dataclasses.replace(login.person, certificate=forged.sign(forger.private_key, hashes.SHA256()))
    policy = SmartIdPolicy(trust_anchors=ca.trust_anchors, intermediates=[*ca.intermediates, forger.certificate])
    error = _refused(login, login.answer(), "untrusted_chain", policy=policy)
    assert "not a CA" in str(error)
