"""The throughput benches' HTTP client reads every kind of answer the bench's servers give, over one connection."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from selfcare.bench.wire import WireClient


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # kept-alive connections, as gunicorn's
    connections: set[int] = set()

    def do_GET(self) -> None:
        _Handler.connections.add(self.client_address[1])
        if self.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (b"to", b"ken"):
                self.wfile.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
            return
        body = self.headers.get("Authorization", "none").encode()
        self.send_response(201 if self.path == "/created" else 200)
        self.send_header("Content-Length", str(len(body)))
        if self.path == "/close":
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        _Handler.connections.add(self.client_address[1])
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def base() -> Iterator[str]:
    _Handler.connections = set()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_answers_of_every_length_kind_are_read_in_turn_over_one_kept_alive_connection(base: str) -> None:
    with WireClient(base) as client:
        assert client.get("/", {"Authorization": "Bearer abc"}) == (200, b"Bearer abc")
        assert client.get("/chunked") == (200, b"token")
        assert client.post_form("/token", {"grant_type": "refresh_token", "refresh_token": "a b&c"}) == (
            200,
            b"grant_type=refresh_token&refresh_token=a+b%26c",
        )
        assert client.get("/created") == (201, b"none")
    assert len(_Handler.connections) == 1


def test_a_connection_the_server_closes_is_opened_again_for_the_next_request(base: str) -> None:
    with WireClient(base) as client:
        assert client.get("/close") == (200, b"none")
        assert client.get("/") == (200, b"none")
    assert len(_Handler.connections) == 2
