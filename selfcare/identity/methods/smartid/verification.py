"""Decide whether a completed Smart-ID v3 session status proves who the person is (PROTOCOLS.md §1.4, 2-8).

:func:`verify_authentication` believes nothing in the answer until all of these hold, in this order:

2. ``state`` is COMPLETE and ``endResult`` OK (other end results become :mod:`base` errors), the protocol
   is ACSP_V2, every field we rely on is present, and ``flowType`` is one the RP offered for this session
   (and the policy allows);
3. the certificate chains to the **configured** anchors, is within its validity dates at ``policy.clock()``
   and the CAs' basic constraints hold (:mod:`.chain`, pyhanko-certvalidator);
4. the certificate carries all Smart-ID policy OIDs of its level;
5. key usage: EKU 1.3.6.1.4.1.62306.5.7.0 + KU digitalSignature (certificates since April 2025), or EKU
   clientAuth + KU digitalSignature, keyEncipherment, dataEncipherment (older certificates);
6. level: both ``cert.certificateLevel`` and the certificate's policy OIDs reach the required level — the
   response alone is not trusted to say QUALIFIED;
7. identity: only from the subject serialNumber ``PNOLV-DDDDDD-DDDDD``, ``PNOEE-…`` or ``PNOLT-…`` (11 digits)
   with the subject's C the same country (never CN); if the person was named
   when starting the session, the certificate must name the same person;
8. the RSASSA-PSS signature verifies over the ACSP_V2 payload rebuilt from *our* session values
   (rpChallenge, RP name, interactions, callback URL) and the server's (serverRandom, userChallenge,
   interaction type, flow).

NOT checked here, by contract:

- revocation (OCSP/CRL) only through ``policy.revocation_check`` (the configured policy always has one);
  without it a revoked, unexpired certificate passes (see :mod:`.chain`);
- step 1, the Web2App/App2App callback checks (sessionSecretDigest, userChallengeVerifier, the cookie-bound
  value): they need the callback request and belong to the flow that receives it;
- step 9, rotating the web session id: the caller's job after this returns;
- whether the session was already used: the caller must verify each session once and discard its secrets.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from selfcare.identity.methods.base import (
    BadResponse,
    Cancelled,
    Refused,
    TimedOut,
    Unavailable,
    VerifiedIdentity,
)
from selfcare.identity.methods.smartid.chain import RevocationCheck, TrustStore
from selfcare.identity.methods.smartid.protocol import (
    DEFAULT_SCHEME_NAME,
    SIGNATURE_ALGORITHM,
    SIGNATURE_PROTOCOL,
    acsp_v2_payload,
)

METHOD = "smartid"
LEVELS = {"ADVANCED": 1, "QUALIFIED": 2}
ALL_FLOW_TYPES = frozenset({"QR", "Web2App", "App2App", "Notification"})
SMARTID_AUTH_EKU = x509.ObjectIdentifier("1.3.6.1.4.1.62306.5.7.0")
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "SHA-256": hashes.SHA256,
    "SHA-384": hashes.SHA384,
    "SHA-512": hashes.SHA512,
}
_REFUSED_END_RESULTS = frozenset(
    {
        "WRONG_VC",
        "DOCUMENT_UNUSABLE",
        "ACCOUNT_UNUSABLE",
        "REQUIRED_INTERACTION_NOT_SUPPORTED_BY_APP",
        "PROTOCOL_FAILURE",
        "EXPECTED_LINKED_SESSION",
    }
)
# The ETSI semantics identifiers of the countries modelled (selfcare.identifiers): Latvian codes keep their hyphen
# (PNOLV-010117-21234), Estonian and Lithuanian ones have none (PNOEE-38001085718, PNOLT-33309240064).
_SERIAL_NUMBER = re.compile(r"PNO(?:(?P<lv>LV)-(?P<first>\d{6})-(?P<last>\d{5})|(?P<other>EE|LT)-(?P<code>\d{11}))")


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def load_pem_certificates(paths: Sequence[Path | str]) -> list[x509.Certificate]:
    """Read every certificate from the configured PEM files (a file may hold several)."""
    certificates: list[x509.Certificate] = []
    for path in paths:
        certificates.extend(x509.load_pem_x509_certificates(Path(path).read_bytes()))
    return certificates


@dataclass(frozen=True)
class SmartIdPolicy:
    """What this relying party accepts. Anchors come from configured PEM files, never the system store."""

    trust_anchors: Sequence[x509.Certificate]
    intermediates: Sequence[x509.Certificate] = ()
    required_level: str = "QUALIFIED"
    qualified_policy_oids: tuple[str, ...] = ("1.3.6.1.4.1.10015.17.2", "0.4.0.2042.1.2")
    non_qualified_policy_oids: tuple[str, ...] = ("1.3.6.1.4.1.10015.17.1", "0.4.0.2042.1.1")
    scheme_name: str = DEFAULT_SCHEME_NAME
    allowed_flow_types: frozenset[str] = ALL_FLOW_TYPES
    clock: Callable[[], dt.datetime] = _utcnow
    revocation_check: RevocationCheck | None = None
    # Built once: converting certificates for the path validator on every login would waste time.
    trust_store: TrustStore = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.trust_anchors:
            raise ValueError("SmartIdPolicy needs at least one configured trust anchor")
        if self.required_level not in LEVELS:
            raise ValueError(f"required_level must be one of {sorted(LEVELS)}")
        if not self.allowed_flow_types <= ALL_FLOW_TYPES:
            raise ValueError(f"allowed_flow_types must be a subset of {sorted(ALL_FLOW_TYPES)}")
        object.__setattr__(self, "trust_store", TrustStore(self.trust_anchors, self.intermediates))


def raise_for_end_result(status: Mapping[str, object]) -> None:
    """Raise the error a completed but unsuccessful session stands for; return if ``endResult`` is OK."""
    if status.get("state") != "COMPLETE":
        raise BadResponse("session is not complete", reason="not_complete")
    result = status.get("result")
    end_result = result.get("endResult") if isinstance(result, Mapping) else None
    if not isinstance(end_result, str):
        raise Refused("missing_fields", "result.endResult is missing")
    if end_result == "OK":
        return
    if end_result.startswith("USER_REFUSED"):
        raise Cancelled(reason=end_result.lower())
    if end_result == "TIMEOUT":
        raise TimedOut(reason="timeout")
    if end_result in _REFUSED_END_RESULTS:
        raise Refused(end_result.lower())
    if end_result == "SERVER_ERROR":
        raise Unavailable(reason="server_error")
    raise BadResponse(f"unknown endResult {end_result!r}", reason="unknown_end_result")


def _get(status: Mapping[str, object], dotted: str) -> object:
    value: object = status
    for key in dotted.split("."):
        if not isinstance(value, Mapping) or key not in value or value[key] in (None, ""):
            raise Refused("missing_fields", f"{dotted} is missing")
        value = value[key]
    return value


def _get_str(status: Mapping[str, object], dotted: str) -> str:
    value = _get(status, dotted)
    if not isinstance(value, str):
        raise BadResponse(f"{dotted} is not a string", reason="wrong_type")
    return value


def _b64decode(value: str, name: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as error:
        raise BadResponse(f"{name} is not Base64", reason="not_base64") from error


def _pss_parameters(status: Mapping[str, object]) -> tuple[hashes.HashAlgorithm, padding.PSS]:
    """Read and constrain the signature parameters: RSASSA-PSS, MGF1 of the same hash, salt = hash length."""
    if _get_str(status, "signature.signatureAlgorithm") != SIGNATURE_ALGORITHM:
        raise Refused("protocol", "signature algorithm is not rsassa-pss")
    params = "signature.signatureAlgorithmParameters"
    hash_name = _get_str(status, f"{params}.hashAlgorithm")
    if hash_name not in _HASHES:
        raise Refused("protocol", f"hash algorithm {hash_name!r} is not accepted")
    algorithm = _HASHES[hash_name]()
    if _get_str(status, f"{params}.maskGenAlgorithm.algorithm") != "id-mgf1":
        raise Refused("protocol", "mask generation is not MGF1")
    if _get_str(status, f"{params}.maskGenAlgorithm.parameters.hashAlgorithm") != hash_name:
        raise Refused("protocol", "MGF1 hash differs from the signature hash")
    salt_length = _get(status, f"{params}.saltLength")
    if type(salt_length) is not int or salt_length != algorithm.digest_size:
        raise Refused("protocol", "salt length must equal the hash length")
    parameters = _get(status, params)
    if isinstance(parameters, Mapping) and parameters.get("trailerField", "0xbc") != "0xbc":
        raise Refused("protocol", "trailer field must be 0xbc")
    return algorithm, padding.PSS(mgf=padding.MGF1(algorithm), salt_length=salt_length)


def _certificate_level(certificate: x509.Certificate, policy: SmartIdPolicy) -> str:
    """Return the level the certificate's policy OIDs prove (step 4), or refuse if it proves none."""
    try:
        extension = certificate.extensions.get_extension_for_class(x509.CertificatePolicies)
    except x509.ExtensionNotFound as error:
        raise Refused("policy_oids_missing", "no certificate policies") from error
    oids = {info.policy_identifier.dotted_string for info in extension.value}
    if set(policy.qualified_policy_oids) <= oids:
        return "QUALIFIED"
    if set(policy.non_qualified_policy_oids) <= oids:
        return "ADVANCED"
    raise Refused("policy_oids_missing", "the Smart-ID policy OIDs are not all present")


def _check_key_usage(certificate: x509.Certificate) -> None:
    try:
        key_usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
        eku = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound as error:
        raise Refused("key_usage", "key usage or extended key usage is missing") from error
    if not key_usage.digital_signature:
        raise Refused("key_usage", "digitalSignature is not allowed")
    if SMARTID_AUTH_EKU in eku:
        return
    if ExtendedKeyUsageOID.CLIENT_AUTH in eku and key_usage.key_encipherment and key_usage.data_encipherment:
        return
    raise Refused("key_usage", "not a Smart-ID authentication certificate")


def _subject_value(certificate: x509.Certificate, oid: x509.ObjectIdentifier) -> str:
    attributes = certificate.subject.get_attributes_for_oid(oid)
    return str(attributes[0].value) if len(attributes) == 1 else ""


def _national_identifier(certificate: x509.Certificate) -> tuple[str, str]:
    """Step 7: (country, 11-digit personal code) from subject serialNumber, whose country must be the subject's C;
    CN is never consulted. The code's own checksum is for the identity layer: the CA vouches for what it states."""
    serial_numbers = certificate.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    match = _SERIAL_NUMBER.fullmatch(str(serial_numbers[0].value)) if len(serial_numbers) == 1 else None
    country = (match["lv"] or match["other"]) if match else ""
    if match is None or _subject_value(certificate, NameOID.COUNTRY_NAME) != country:
        raise Refused("unsupported_identity", "the certificate does not name a Latvian, Estonian or Lithuanian code")
    return country, (match["first"] + match["last"]) if country == "LV" else match["code"]


def _same_person(expected: str, country: str, code: str) -> bool:
    """Whether the person named at the start (``PNOEE-…``, ``EE 380…``, or a bare Latvian code) is (country, code)."""
    found = _SERIAL_NUMBER.fullmatch(expected) or re.fullmatch(r"(?P<first>\d{6})-?(?P<last>\d{5})", expected)
    if found is None:
        return False
    groups = found.groupdict()
    named_country = groups.get("other") or "LV"
    named_code = groups.get("code") or f"{groups['first']}{groups['last']}"
    return (named_country, named_code) == (country, code)


def _offered_interaction_types(interactions_b64: str) -> set[str]:
    interactions = json.loads(base64.b64decode(interactions_b64, validate=True))
    return {str(item["type"]) for item in interactions}


def verify_authentication(
    *,
    status: Mapping[str, object],
    rp_challenge: str,
    rp_name: str,
    brokered_rp_name: str = "",
    interactions_b64: str,
    initial_callback_url: str = "",
    expected_personal_code: str | None,
    offered_flow_types: Collection[str],
    policy: SmartIdPolicy,
) -> VerifiedIdentity:
    """Verify a completed session status against our session values; see the module docstring for the steps.

    Raises :class:`Cancelled`, :class:`TimedOut`, :class:`Refused` (with ``reason``), :class:`Unavailable` or
    :class:`BadResponse`; returns a :class:`VerifiedIdentity` only when every check passed.
    """
    # Step 2: session result and the fields we rely on.
    raise_for_end_result(status)
    if _get_str(status, "signatureProtocol") != SIGNATURE_PROTOCOL:
        raise Refused("protocol", "signature protocol is not ACSP_V2")
    document_number = _get_str(status, "result.documentNumber")
    signature = _b64decode(_get_str(status, "signature.value"), "signature.value")
    server_random = _get_str(status, "signature.serverRandom")
    user_challenge = _get_str(status, "signature.userChallenge")
    flow_type = _get_str(status, "signature.flowType")
    claimed_level = _get_str(status, "cert.certificateLevel")
    certificate_der = _b64decode(_get_str(status, "cert.value"), "cert.value")
    interaction_type_used = _get_str(status, "interactionTypeUsed")
    hash_algorithm, pss = _pss_parameters(status)
    if flow_type not in offered_flow_types or flow_type not in policy.allowed_flow_types:
        raise Refused("flow_not_offered", f"flow {flow_type!r} was not offered")
    if interaction_type_used not in _offered_interaction_types(interactions_b64):
        raise Refused("protocol", "the app used an interaction that was not offered")
    if claimed_level not in LEVELS:
        raise BadResponse(f"unknown certificate level {claimed_level!r}", reason="unknown_level")
    try:
        certificate = x509.load_der_x509_certificate(certificate_der)
    except ValueError as error:
        raise BadResponse("cert.value is not a DER certificate", reason="bad_certificate") from error

    # Step 3: chain to the configured anchors, validity at policy.clock(), basic constraints (and the hook).
    policy.trust_store.validate(certificate_der, moment=policy.clock(), revocation_check=policy.revocation_check)
    # Steps 4-6: scheme policy OIDs, key usage, level in the response *and* in the certificate.
    proven_level = _certificate_level(certificate, policy)
    _check_key_usage(certificate)
    level = min(claimed_level, proven_level, key=LEVELS.__getitem__)
    if LEVELS[level] < LEVELS[policy.required_level]:
        raise Refused("level_not_qualified", f"certificate level {claimed_level}/{proven_level} is too low")

    # Step 7: identity from subject serialNumber, matched against the person named at the start.
    country, personal_code = _national_identifier(certificate)
    if expected_personal_code is not None and not _same_person(expected_personal_code, country, personal_code):
        raise Refused("identity_mismatch", "the certificate names another person")

    # Step 8: the signature over the rebuilt ACSP_V2 payload.
    public_key = certificate.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise Refused("protocol", "the certificate key is not RSA")
    payload = acsp_v2_payload(
        scheme_name=policy.scheme_name,
        server_random=server_random,
        rp_challenge=rp_challenge,
        user_challenge=user_challenge,
        rp_name=rp_name,
        brokered_rp_name=brokered_rp_name,
        interactions_b64=interactions_b64,
        interaction_type_used=interaction_type_used,
        initial_callback_url=initial_callback_url,
        flow_type=flow_type,
    )
    try:
        public_key.verify(signature, payload, pss, hash_algorithm)
    except InvalidSignature as error:
        raise Refused("bad_signature", "the ACSP_V2 signature does not verify") from error

    return VerifiedIdentity(
        method=METHOD,
        country=country,
        personal_code=personal_code,
        given_name=_subject_value(certificate, NameOID.GIVEN_NAME),
        family_name=_subject_value(certificate, NameOID.SURNAME),
        level=level.lower(),
        evidence={
            "certificate_sha256": hashlib.sha256(certificate_der).hexdigest(),
            "certificate_subject": certificate.subject.rfc4514_string(),
            "certificate_level": level,
            "document_number": document_number,
            "flow_type": flow_type,
            "interaction_type_used": interaction_type_used,
        },
    )
