"""The time-stamping authority of the test PKI (RFC 3161 over HTTP), at ``/simulators/pki/tsa`` in demo mode.

A ``TimeStampReq`` (``application/timestamp-query``) in, a ``TimeStampResp`` (``application/timestamp-reply``) out,
signed with the test CA's TSA certificate (EKU timeStamping). pyHanko's own time stamper for tests builds the
answer; the portal asks for it with pyHanko's HTTP client (``SIGNING_TSA_URL``), as it would a real TSA.
"""

from __future__ import annotations

from asn1crypto import keys as asn1_keys  # type: ignore[import-untyped]
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from selfcare.simulators.gate import demo_only
from selfcare.simulators.smartid.pki import test_ca

QUERY = "application/timestamp-query"
REPLY = "application/timestamp-reply"


def _stamper() -> DummyTimeStamper:
    ca = test_ca()
    issued = ca.timestamping()
    key = issued.private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    der = issued.certificate.public_bytes(serialization.Encoding.DER)
    return DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(der),
        tsa_key=asn1_keys.PrivateKeyInfo.load(key),
        certs_to_embed=SimpleCertificateStore.from_certs([asn1_x509.Certificate.load(der)]),  # type: ignore[no-untyped-call]
        fixed_dt=timezone.now(),  # the demo's clock (tests move it), not the machine's
    )


@csrf_exempt  # machine to machine: an RFC 3161 client posts DER, with no browser session
@require_POST
@demo_only
def timestamp(request: HttpRequest) -> HttpResponse:
    if request.content_type != QUERY:
        return HttpResponse("expected application/timestamp-query", status=415, content_type="text/plain")
    try:
        query = tsp.TimeStampReq.load(request.body)
        query.native  # noqa: B018 - parse it all now: asn1crypto parses lazily
    except ValueError:
        return HttpResponse("not a TimeStampReq", status=400, content_type="text/plain")
    answer = _stamper().request_tsa_response(query)
    return HttpResponse(answer.dump(), content_type=REPLY)
