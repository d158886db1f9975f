"""Play the Smart-ID side of an authentication: sign ACSP_V2 and build the session status the RP API returns.

Used by the Smart-ID simulator and by tests. The signature is real (RSASSA-PSS with the person's test key over
the ACSP_V2 payload from :func:`selfcare.identity.methods.smartid.protocol.acsp_v2_payload`), so the verifier
under test runs exactly the code it runs against the live service.

A completed answer looks like this (values shortened)::

    {"state": "COMPLETE",
     "result": {"endResult": "OK", "documentNumber": "PNOLV-010117-21234-MOCK-Q"},
     "signatureProtocol": "ACSP_V2",
     "signature": {"value": "Vak2…", "serverRandom": "+wVP2U/SMKVkVrggDjNTXFV/", "userChallenge": "TLSj…Zq4",
                   "flowType": "QR", "signatureAlgorithm": "rsassa-pss",
                   "signatureAlgorithmParameters": {"hashAlgorithm": "SHA-512",
                       "maskGenAlgorithm": {"algorithm": "id-mgf1",
                                            "parameters": {"hashAlgorithm": "SHA-512"}},
                       "saltLength": 64, "trailerField": "0xbc"}},
     "cert": {"value": "MIIF…", "certificateLevel": "QUALIFIED"},
     "interactionTypeUsed": "displayTextAndPIN"}
"""

from __future__ import annotations

import base64
import hashlib
import secrets

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa, utils

from selfcare.identity.methods.smartid.protocol import (
    SIGNATURE_ALGORITHM,
    SIGNATURE_PROTOCOL,
    acsp_v2_payload,
)

HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "SHA-256": hashes.SHA256,
    "SHA-384": hashes.SHA384,
    "SHA-512": hashes.SHA512,
}


def sign_acsp_v2(private_key: rsa.RSAPrivateKey, payload: bytes, hash_algorithm: str = "SHA-512") -> bytes:
    """RSASSA-PSS over ``payload``, MGF1 of the same hash, salt length = hash length: as Smart-ID signs."""
    algorithm = HASHES[hash_algorithm]()
    return private_key.sign(
        payload, padding.PSS(mgf=padding.MGF1(algorithm), salt_length=algorithm.digest_size), algorithm
    )


def new_user_challenge() -> str:
    """A userChallenge as the app makes it: B64URL(SHA-256(verifier)) without padding, 43 characters."""
    verifier = secrets.token_urlsafe(32)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def completed_session_status(
    *,
    certificate: x509.Certificate,
    private_key: rsa.RSAPrivateKey,
    rp_challenge: str,
    rp_name: str,
    interactions_b64: str,
    scheme_name: str = "smart-id",
    brokered_rp_name: str = "",
    interaction_type_used: str = "displayTextAndPIN",
    initial_callback_url: str = "",
    flow_type: str = "QR",
    hash_algorithm: str = "SHA-512",
    certificate_level: str = "QUALIFIED",
    document_number: str | None = None,
    server_random: str | None = None,
    user_challenge: str | None = None,
) -> dict[str, object]:
    """Return a ``state: COMPLETE, endResult: OK`` session status with a valid ACSP_V2 signature."""
    server_random = server_random or base64.b64encode(secrets.token_bytes(18)).decode("ascii")
    user_challenge = user_challenge or new_user_challenge()
    payload = acsp_v2_payload(
        scheme_name=scheme_name,
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
    if document_number is None:
        serial = certificate.subject.get_attributes_for_oid(x509.NameOID.SERIAL_NUMBER)
        suffix = "Q" if certificate_level == "QUALIFIED" else "NQ"
        document_number = f"{serial[0].value!s}-MOCK-{suffix}" if serial else "UNKNOWN-MOCK"
    salt_length = HASHES[hash_algorithm].digest_size
    return {
        "state": "COMPLETE",
        "result": {"endResult": "OK", "documentNumber": document_number},
        "signatureProtocol": SIGNATURE_PROTOCOL,
        "signature": {
            "value": base64.b64encode(sign_acsp_v2(private_key, payload, hash_algorithm)).decode("ascii"),
            "serverRandom": server_random,
            "userChallenge": user_challenge,
            "flowType": flow_type,
            "signatureAlgorithm": SIGNATURE_ALGORITHM,
            "signatureAlgorithmParameters": {
                "hashAlgorithm": hash_algorithm,
                "maskGenAlgorithm": {"algorithm": "id-mgf1", "parameters": {"hashAlgorithm": hash_algorithm}},
                "saltLength": salt_length,
                "trailerField": "0xbc",
            },
        },
        "cert": {
            "value": base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode("ascii"),
            "certificateLevel": certificate_level,
        },
        "interactionTypeUsed": interaction_type_used,
    }


def ended_session_status(end_result: str, *, interaction: str | None = None) -> dict[str, object]:
    """Return a completed session that did not succeed (``USER_REFUSED``, ``TIMEOUT``, ...)."""
    result: dict[str, object] = {"endResult": end_result}
    if interaction is not None:
        result["details"] = {"interaction": interaction}
    return {"state": "COMPLETE", "result": result}


def running_session_status() -> dict[str, object]:
    return {"state": "RUNNING"}


# -- the signature flow (RAW_DIGEST_SIGNATURE) ------------------------------------------------------------------------


def _cert(certificate: x509.Certificate, level: str) -> dict[str, object]:
    der = certificate.public_bytes(serialization.Encoding.DER)
    return {"value": base64.b64encode(der).decode("ascii"), "certificateLevel": level}


def certificate_choice_status(
    *, certificate: x509.Certificate, certificate_level: str, document_number: str
) -> dict[str, object]:
    """A completed certificate-choice session: the document number to sign with and its signing certificate."""
    return {
        "state": "COMPLETE",
        "result": {"endResult": "OK", "documentNumber": document_number},
        "cert": _cert(certificate, certificate_level),
    }


def signature_status(
    *,
    certificate: x509.Certificate,
    private_key: rsa.RSAPrivateKey,
    digest: bytes,
    hash_algorithm: str,
    certificate_level: str,
    document_number: str,
) -> dict[str, object]:
    """A completed RAW_DIGEST_SIGNATURE session: RSASSA-PSS over ``digest`` as given (it is not hashed again)."""
    algorithm = HASHES[hash_algorithm]()
    value = private_key.sign(
        digest,
        padding.PSS(mgf=padding.MGF1(algorithm), salt_length=algorithm.digest_size),
        utils.Prehashed(algorithm),
    )
    return {
        "state": "COMPLETE",
        "result": {"endResult": "OK", "documentNumber": document_number},
        "signatureProtocol": "RAW_DIGEST_SIGNATURE",
        "signature": {
            "value": base64.b64encode(value).decode("ascii"),
            "signatureAlgorithm": SIGNATURE_ALGORITHM,
            "signatureAlgorithmParameters": {
                "hashAlgorithm": hash_algorithm,
                "maskGenAlgorithm": {"algorithm": "id-mgf1", "parameters": {"hashAlgorithm": hash_algorithm}},
                "saltLength": algorithm.digest_size,
                "trailerField": "0xbc",
            },
        },
        "cert": _cert(certificate, certificate_level),
    }
