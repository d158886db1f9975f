"""Route ``http://pki.selfcare.test/`` to the PKI simulator in-process (demo and tests).

The test PKI's certificates name that fixed host so they stay valid whatever port the demo server or a test's live
server uses. The portal's revocation fetcher mounts this transport for it in demo mode only; requests still go
through httpx (method, headers, body, status) and are answered by the same code as ``/simulators/pki/``.
"""

from __future__ import annotations

import httpx

from selfcare.simulators.pki import responder
from selfcare.simulators.pki.testca import TEST_PKI_BASE_URL, TestCA


def pki_transport(ca: TestCA | None = None) -> dict[str, httpx.BaseTransport]:
    """The mount for the test PKI's host; ``ca`` another test PKI than the configured one (unit tests)."""

    def handle(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST" and path == "/ocsp":
            answer = responder.ocsp_answer(request.content, ca=ca)
        elif request.method == "GET" and path.startswith("/crl/") and path.endswith(".crl"):
            answer = responder.crl(path.removeprefix("/crl/").removesuffix(".crl"), ca=ca)
        else:
            answer = responder.Answer(404, "text/plain", b"not found")
        return httpx.Response(answer.status, headers={"Content-Type": answer.content_type}, content=answer.body)

    return {TEST_PKI_BASE_URL.rstrip("/"): httpx.MockTransport(handle)}
