"""The simulated operator's hub delivers each order event at least once, as a real notification hub does."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from selfcare.simulators.tmf import views


class _Listener(BaseHTTPRequestHandler):
    answers: list[int]
    received: list[tuple[bytes, str]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((body, self.headers["X-Signature"]))
        self.send_response(self.answers.pop(0) if self.answers else 204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def listener(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[_Listener]]:
    monkeypatch.setattr(views, "_RETRY_PAUSES", (0.01, 0.01, 0.01))
    handler = type("Listener", (_Listener,), {"answers": [], "received": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    handler.url = f"http://127.0.0.1:{server.server_address[1]}/orders/callback/"  # type: ignore[attr-defined]
    yield handler
    server.shutdown()
    server.server_close()


def test_an_event_the_listener_could_not_take_is_delivered_again_with_the_same_body_and_signature(
    listener: Any,
) -> None:
    listener.answers[:] = [503, 503]
    views._deliver(listener.url, b'{"eventId": "e-1"}')
    assert len(listener.received) == 3
    assert set(listener.received) == {(b'{"eventId": "e-1"}', views.signature(b'{"eventId": "e-1"}', views._secret()))}


def test_a_listener_that_refuses_an_event_is_not_asked_again(listener: Any) -> None:
    listener.answers[:] = [401]
    views._deliver(listener.url, b'{"eventId": "e-2"}')
    assert len(listener.received) == 1


def test_a_listener_that_never_takes_the_event_is_given_up_after_the_retries(
    listener: Any, caplog: pytest.LogCaptureFixture
) -> None:
    listener.answers[:] = [503] * 10
    with caplog.at_level("INFO", logger=views.__name__):
        views._deliver(listener.url, b'{"eventId": "e-3"}')
    assert len(listener.received) == 1 + len(views._RETRY_PAUSES)
    assert "did not take the event" in caplog.text
