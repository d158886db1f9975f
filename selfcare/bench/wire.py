"""The throughput benches' HTTP client: HTTP/1.1 over one kept-alive socket, requests written as bytes.

Written by hand, not httpx, because on a 2-core box the load generator's CPU is taken from the server it measures:
httpx builds a request, its headers and a response object per call, which cost about as much CPU as one of our
token requests, so the bench measured the client as much as the server (and the faster the server, the more). This
client does only what the bench needs: a GET or a form POST with the headers a real app sends, a status code, a
Content-Length or chunked body. Both the product and its peer are measured with it.
"""

from __future__ import annotations

import socket
from urllib.parse import urlencode, urlsplit


class WireError(Exception):
    pass


class WireClient:
    """One kept-alive connection to `base` (http://host:port), for one thread."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.host = parts.netloc
        self._address = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._socket: socket.socket | None = None
        self._buffer = b""

    def __enter__(self) -> WireClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
        return self._send(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\nAccept: */*\r\n{extra}\r\n".encode())

    def post_form(self, path: str, fields: dict[str, str]) -> tuple[int, bytes]:
        body = urlencode(fields).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nAccept: */*\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        return self._send(head.encode() + body)

    def _send(self, request: bytes) -> tuple[int, bytes]:
        for attempt in (1, 2):
            if self._socket is None:
                self._socket = socket.create_connection(self._address, timeout=30)
                self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self._buffer = b""
            try:
                self._socket.sendall(request)
                return self._response()
            except (ConnectionError, WireError):
                # The server closed an idle kept-alive connection: one new connection, as any client would.
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _fill(self) -> None:
        assert self._socket is not None
        chunk = self._socket.recv(65536)
        if not chunk:
            raise WireError("connection closed")
        self._buffer += chunk

    def _line(self) -> bytes:
        while (end := self._buffer.find(b"\r\n")) < 0:
            self._fill()
        line, self._buffer = self._buffer[:end], self._buffer[end + 2 :]
        return line

    def _take(self, size: int) -> bytes:
        while len(self._buffer) < size:
            self._fill()
        taken, self._buffer = self._buffer[:size], self._buffer[size:]
        return taken

    def _response(self) -> tuple[int, bytes]:
        while (end := self._buffer.find(b"\r\n\r\n")) < 0:
            self._fill()
        head, self._buffer = self._buffer[:end].decode("latin-1"), self._buffer[end + 4 :]
        status_line, *header_lines = head.split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = self._take(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while size := int(self._line().split(b";")[0], 16):
                parts.append(self._take(size))
                self._take(2)
            while self._line():  # trailers, then the blank line
                pass
            body = b"".join(parts)
        else:
            raise WireError("a response without a length: the bench's servers always send one")
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, body
