"""TLS pinning of the eID providers over a real TLS connection: a local HTTPS server with a test PKI certificate.

The server's certificate chains to the test root, which the test makes the trusted store (SSL_CERT_FILE), so the
ordinary TLS verification passes: only the pin can refuse it, as it must refuse a certificate an interceptor got
from a CA the system trusts.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from django.core.management import call_command

from selfcare.identity.methods.base import BadResponse, Unavailable
from selfcare.identity.methods.eparaksts.client import EparakstsClient
from selfcare.identity.methods.eparaksts.config import eparaksts_config
from selfcare.identity.methods.smartid.client import SmartIdClient
from selfcare.identity.methods.smartid.config import smartid_config
from selfcare.simulators.smartid.pki import test_ca

WRONG_PIN = "00" * 32


class _Answer(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _json(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    do_GET = _json
    do_POST = _json

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up after reading the certificate (the pin check does) is not an error here."""


@dataclasses.dataclass
class TlsServer:
    url: str
    pin: str


@pytest.fixture
def tls_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[TlsServer]:
    ca = test_ca()
    issued = ca.tls_server()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(issued.cert_path, issued.key_path)
    server = _QuietServer(("127.0.0.1", 0), _Answer)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("SSL_CERT_FILE", str(ca.root.cert_path))
    der = issued.certificate.public_bytes(serialization.Encoding.DER)
    yield TlsServer(f"https://127.0.0.1:{server.server_port}/", hashlib.sha256(der).hexdigest())
    server.shutdown()
    server.server_close()


def test_smart_id_refuses_a_server_whose_certificate_is_not_pinned(tls_server: TlsServer) -> None:
    config = dataclasses.replace(smartid_config(), api_url=tls_server.url, tls_pins=(WRONG_PIN,))
    with pytest.raises(Unavailable) as raised:
        SmartIdClient(config).start_device_link(display_text="Tele2")
    assert raised.value.reason == "tls_pin_mismatch"


def test_smart_id_talks_to_the_pinned_server(tls_server: TlsServer) -> None:
    config = dataclasses.replace(smartid_config(), api_url=tls_server.url, tls_pins=(WRONG_PIN, tls_server.pin))
    with pytest.raises(BadResponse):  # past the pin: the stand-in server's "{}" is no Smart-ID session
        SmartIdClient(config).start_device_link(display_text="Tele2")


def test_eparaksts_refuses_a_server_whose_certificate_is_not_pinned(tls_server: TlsServer) -> None:
    config = dataclasses.replace(eparaksts_config(), url=tls_server.url.rstrip("/"), tls_pins=(WRONG_PIN,))
    with pytest.raises(Unavailable) as raised:
        EparakstsClient(config).complete(method="eparaksts-mobile", code="x", redirect_uri="https://x/cb")
    assert raised.value.reason == "tls_pin_mismatch"


@pytest.mark.django_db
def test_eid_check_says_plainly_that_the_smart_id_pin_does_not_match(tls_server: TlsServer, settings: Any) -> None:
    settings.SMARTID_API_URL = tls_server.url
    settings.SMARTID_TLS_PINS = WRONG_PIN
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("eid-check", "smartid", "--personal-code", "150385-12346", stdout=io.StringIO(), stderr=err)
    assert f"TLS pin mismatch: {tls_server.url} presents a certificate with SHA-256 {tls_server.pin}" in err.getvalue()
    assert "SMARTID_TLS_PINS" in err.getvalue()


@pytest.mark.django_db
def test_eid_check_says_plainly_that_the_eparaksts_pin_does_not_match(tls_server: TlsServer, settings: Any) -> None:
    settings.EPARAKSTS_URL = tls_server.url.rstrip("/")
    settings.EPARAKSTS_TLS_PINS = WRONG_PIN
    err = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("eid-check", "eparaksts", stdout=io.StringIO(), stderr=err)
    assert "FAIL TLS pin mismatch" in err.getvalue()
    assert "EPARAKSTS_TLS_PINS" in err.getvalue()
