"""Real network faults for tests: a server that accepts and never answers, a port nobody listens on, and a TCP
proxy that can be cut and restored while a client is connected through it.

These are sockets, not mocks of a client: the code under test runs its production HTTP, database or Redis client
and meets the fault where it would meet it in production, on the wire. Everything binds to 127.0.0.1 on a port
the system chooses, and every thread is a daemon that the context manager stops.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from collections.abc import Callable, Iterator


def closed_port() -> int:
    """A local port with nothing listening: a connection to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@contextlib.contextmanager
def _accepting(on_connection: Callable[[socket.socket], None]) -> Iterator[int]:
    """A listening port whose every accepted connection is handed to `on_connection` (on the accepting thread);
    yields the port and stops accepting when the block ends."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            on_connection(connection)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(timeout=2)
        listener.close()


@contextlib.contextmanager
def hanging_server() -> Iterator[int]:
    """A port that accepts connections and reads what is sent, but never answers: a provider that hangs."""
    held: list[socket.socket] = []  # kept open and never written to
    try:
        with _accepting(held.append) as port:
            yield port
    finally:
        for connection in held:
            connection.close()


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a target; `cut()` drops every connection and refuses new ones until
    `restore()`. What a client sees when its database or Redis restarts: established connections die, new ones are
    refused, then the service answers again on the same address. `hang()` instead accepts new connections and
    never answers them: a service that is up but stuck."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._accepting = threading.Event()
        self._hanging = threading.Event()
        self._held: list[socket.socket] = []
        self._thread: threading.Thread | None = None

    def __enter__(self) -> TcpProxy:
        self._listen()
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self.restore()
        self._drop_all()
        self._listener.close()
        if self._thread:
            self._thread.join(timeout=2)

    def _listen(self) -> None:
        self._listener.listen(64)
        self._accepting.set()

    def cut(self) -> None:
        """Drop every open connection; new connections are accepted and closed at once (refused, to the client)."""
        self._accepting.clear()
        self._drop_all()

    def hang(self) -> None:
        """Drop every open connection; new ones are accepted and held without an answer until `restore()`."""
        self._hanging.set()
        self._drop_all()

    def restore(self) -> None:
        self._hanging.clear()
        for held in self._held:
            held.close()
        self._held.clear()
        self._accepting.set()

    @property
    def connections(self) -> int:
        with self._lock:
            return len(self._pairs)

    def _drop_all(self) -> None:
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for pair in pairs:
            for end in pair:
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)
                end.close()

    def _accept_loop(self) -> None:
        self._listener.settimeout(0.1)
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                continue
            if self._hanging.is_set():
                self._held.append(client)
                continue
            if not self._accepting.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._pairs.append((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        ends = [client, upstream]
        try:
            while not self._stop.is_set():
                readable, _, _ = select.select(ends, [], [], 0.2)
                for end in readable:
                    data = end.recv(65536)
                    if not data:
                        return
                    (upstream if end is client else client).sendall(data)
        except (OSError, ValueError):
            return
        finally:
            for end in ends:
                with contextlib.suppress(OSError):
                    end.close()


@contextlib.contextmanager
def keepalive_closing_server(body: bytes) -> Iterator[tuple[str, list[int]]]:
    """An HTTP/1.1 server that answers a connection's first request (keeping it open) and closes the connection on
    its second without a word: what a server does when its keep-alive timer fires just as a reused connection's
    request arrives. Yields its URL and a list that grows by one per connection accepted."""
    connections: list[int] = []
    answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)

    def serve(connection: socket.socket) -> None:
        with connection:
            for request in range(2):
                received = b""
                while b"\r\n\r\n" not in received:  # the test's requests have no body
                    chunk = connection.recv(65536)
                    if not chunk:
                        return
                    received += chunk
                if request == 0:
                    connection.sendall(answer)

    def accepted(connection: socket.socket) -> None:
        connections.append(1)
        threading.Thread(target=serve, args=(connection,), daemon=True).start()

    with _accepting(accepted) as port:
        yield f"http://127.0.0.1:{port}", connections
