"""The PKI simulator over real HTTP: OCSP answers and CRLs signed by the test CAs, from the revocation registry."""

from __future__ import annotations

from typing import Any

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp

from selfcare.simulators.smartid.pki import test_ca


def _ask(url: str, certificate: x509.Certificate, issuer: x509.Certificate) -> ocsp.OCSPResponse:
    request = ocsp.OCSPRequestBuilder().add_certificate(certificate, issuer, hashes.SHA1()).build()  # noqa: S303
    answer = httpx.post(
        f"{url}/simulators/pki/ocsp",
        content=request.public_bytes(serialization.Encoding.DER),
        headers={"Content-Type": "application/ocsp-request"},
    )
    assert answer.headers["Content-Type"] == "application/ocsp-response"
    return ocsp.load_der_ocsp_response(answer.content)


def test_the_responder_says_good_for_a_valid_certificate_and_revoked_for_a_revoked_one(live_server: Any) -> None:
    ca = test_ca()
    good = ca.smartid_person("010117-21234", "Forename", "Surname")
    revoked = ca.smartid_person("211080-12348", "Revoked", "Person")
    revoked_at = ca.revoke(revoked)
    good_answer = _ask(live_server.url, good.certificate, ca.smartid_issuing.certificate)
    revoked_answer = _ask(live_server.url, revoked.certificate, ca.smartid_issuing.certificate)
    assert good_answer.certificate_status is ocsp.OCSPCertStatus.GOOD
    assert revoked_answer.certificate_status is ocsp.OCSPCertStatus.REVOKED
    assert revoked_answer.revocation_time_utc == revoked_at


def test_the_crl_of_a_ca_lists_what_it_revoked_and_is_signed_by_it(live_server: Any) -> None:
    ca = test_ca()
    revoked = ca.smartid_person("211080-12348", "Revoked", "Person")
    ca.revoke(revoked)
    answer = httpx.get(f"{live_server.url}/simulators/pki/crl/smartid-issuing-ca.crl")
    crl = x509.load_der_x509_crl(answer.content)
    assert crl.is_signature_valid(ca.smartid_issuing.private_key.public_key())
    assert crl.get_revoked_certificate_by_serial_number(revoked.certificate.serial_number) is not None


def test_the_responder_can_be_switched_down_for_tests_of_the_fallback(live_server: Any, settings: Any) -> None:
    settings.SIMULATOR_PKI_OCSP_DOWN = True
    assert httpx.post(f"{live_server.url}/simulators/pki/ocsp", content=b"").status_code == 503
