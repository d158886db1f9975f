"""Measure the CPU cost of verifying one completed Smart-ID answer, against the floor of a bare PSS verify.

Part of ``make bench``. It uses the test PKI in ``SELFCARE_PKI_DIR`` (made once), signs one answer, then times
:func:`verify_authentication` and a bare RSASSA-PSS verify of the same payload with ``time.process_time``.
The ratio shows what chain validation, certificate parsing and the policy checks add to the signature check
that cannot be avoided. Target: median ≤ 5 ms.
"""

from __future__ import annotations

import base64
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from selfcare.bench import Report
from selfcare.identity.methods.smartid import protocol
from selfcare.identity.methods.smartid.verification import SmartIdPolicy, verify_authentication
from selfcare.simulators.pki.smartid_signer import completed_session_status
from selfcare.simulators.pki.testca import TestCA

TARGET_MS = 5.0


def _measure(function: Callable[[], object], runs: int) -> tuple[float, float]:
    function()  # warm caches and imports outside the measurement
    samples = []
    for _ in range(runs):
        start = time.process_time()
        function()
        samples.append((time.process_time() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))]


def run(directory: Path, runs: int) -> tuple[tuple[float, float], tuple[float, float]]:
    ca = TestCA(directory)
    # Its own label: the benchmark must not replace a demo person's certificate in the shared test PKI.
    person = ca.smartid_person("150385-12346", "Forename", "Surname", label="bench-person")
    policy = SmartIdPolicy(trust_anchors=ca.trust_anchors, intermediates=ca.intermediates)
    rp_challenge = protocol.new_rp_challenge()
    interactions = protocol.encode_interactions([{"type": "displayTextAndPIN", "displayText60": "Tele2"}])
    status = completed_session_status(
        certificate=person.certificate,
        private_key=person.private_key,
        rp_challenge=rp_challenge,
        rp_name="Tele2",
        interactions_b64=interactions,
    )

    def verify() -> object:
        return verify_authentication(
            status=status,
            rp_challenge=rp_challenge,
            rp_name="Tele2",
            interactions_b64=interactions,
            expected_personal_code="150385-12346",
            offered_flow_types=("QR",),
            policy=policy,
        )

    signature = status["signature"]
    assert isinstance(signature, dict)
    payload = protocol.acsp_v2_payload(
        scheme_name=policy.scheme_name,
        server_random=signature["serverRandom"],
        rp_challenge=rp_challenge,
        user_challenge=signature["userChallenge"],
        rp_name="Tele2",
        brokered_rp_name="",
        interactions_b64=interactions,
        interaction_type_used="displayTextAndPIN",
        initial_callback_url="",
        flow_type="QR",
    )
    signature_bytes = base64.b64decode(signature["value"])
    public_key = person.certificate.public_key()
    assert isinstance(public_key, rsa.RSAPublicKey)
    pss = padding.PSS(mgf=padding.MGF1(hashes.SHA512()), salt_length=64)

    def floor() -> object:
        public_key.verify(signature_bytes, payload, pss, hashes.SHA512())
        return None

    return _measure(verify, runs), _measure(floor, runs)


def bench(report: Report, runs: int = 300) -> None:
    from django.conf import settings

    (median, p95), (floor_median, floor_p95) = run(Path(settings.SELFCARE_PKI_DIR), runs)
    report.ratio(
        "Smart-ID verification, CPU ms (median)",
        product=median,
        floor=floor_median,
        unit="ms",
        target=f"<= {TARGET_MS} ms",
    )
    report.ratio(
        "Smart-ID verification, CPU ms (p95)", product=p95, floor=floor_p95, unit="ms", target=f"<= {TARGET_MS} ms"
    )
