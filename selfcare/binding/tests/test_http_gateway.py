"""The HTTP gateway against a local HTTP server that records the request: token, JSON body, refusals."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from selfcare.binding.gateways.http import HttpGateway
from selfcare.binding.sms import SmsError, gateway

CODE_TEXT = "Jūsu kods: 482915"


@dataclass
class Recorder:
    """What the server answers next, and the requests it received."""

    status: int = 200
    body: bytes = b'{"id": "gw-42"}'
    requests: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def server(settings: Any) -> Iterator[Recorder]:
    recorder = Recorder()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            recorder.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            self.send_response(recorder.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(recorder.body)))
            self.end_headers()
            self.wfile.write(recorder.body)

        def log_message(self, format: str, *args: Any) -> None:
            """Silent: the request log would print the message, which holds a one-time code."""

    with ThreadingHTTPServer(("127.0.0.1", 0), Handler) as httpd:
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        settings.DEBUG, settings.SMS_BACKEND = True, "http"
        settings.SMS_HTTP_URL = f"http://127.0.0.1:{httpd.server_address[1]}/sms"
        settings.SMS_HTTP_TOKEN, settings.SMS_HTTP_TIMEOUT = "token-123", 5
        yield recorder
        httpd.shutdown()


def test_a_message_is_posted_with_the_bearer_token_and_the_id_returned(server: Recorder) -> None:
    sender = gateway()
    assert isinstance(sender, HttpGateway)
    assert sender.send("+37125100001", CODE_TEXT) == "gw-42"
    [request] = server.requests
    assert request["path"] == "/sms"
    assert request["headers"]["Authorization"] == "Bearer token-123"
    assert json.loads(request["body"]) == {"to": "+37125100001", "text": CODE_TEXT}


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, '{"error": "could not send Jūsu kods: 482915"}'.encode()),
        (200, b"<html>ok</html>"),
        (200, b'{"status": "ok"}'),
        (302, b"{}"),
    ],
    ids=["server-error", "not-json", "no-id", "redirect"],
)
def test_anything_but_2xx_with_an_id_is_an_sms_error_without_the_text(
    server: Recorder, status: int, body: bytes
) -> None:
    server.status, server.body = status, body
    with pytest.raises(SmsError) as refused:
        gateway().send("+37125100001", CODE_TEXT)
    assert "482915" not in str(refused.value)


def test_an_unreachable_gateway_is_an_sms_error(server: Recorder, settings: Any) -> None:
    settings.SMS_HTTP_URL = "http://127.0.0.1:1/sms"
    with pytest.raises(SmsError, match="unreachable"):
        gateway().send("+37125100001", CODE_TEXT)


def test_plain_http_is_refused_outside_debug(server: Recorder, settings: Any) -> None:
    settings.DEBUG = False
    with pytest.raises(ImproperlyConfigured, match="https"):
        gateway()
    settings.SMS_HTTP_URL = "https://sms.example.invalid/send"
    assert isinstance(gateway(), HttpGateway)
