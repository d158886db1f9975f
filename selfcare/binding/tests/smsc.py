"""A tiny SMSC for the tests: a thread on 127.0.0.1 that speaks enough SMPP 3.4, decoded with smpplib's own PDUs.

It answers bind_transmitter (checking system_id and password), submit_sm (recording the destination and the
decoded text) and unbind, so the gateway is tested over a real socket and the real protocol.
"""

from __future__ import annotations

import socket
import struct
import threading
from dataclasses import dataclass, field
from typing import Any

import smpplib.client
import smpplib.consts
import smpplib.smpp


@dataclass
class Submitted:
    destination_addr: str
    source_addr: str
    data_coding: int
    text: str


@dataclass
class Smsc:
    system_id: str = "selfcare"
    password: str = "s3cret"
    host: str = "127.0.0.1"
    port: int = 0
    submitted: list[Submitted] = field(default_factory=list)
    _sock: socket.socket | None = None

    def __enter__(self) -> Smsc:
        self._sock = socket.create_server((self.host, 0))
        self.port = self._sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._sock is not None:
            self._sock.close()

    def _serve(self) -> None:
        assert self._sock is not None
        while True:
            try:
                connection, _ = self._sock.accept()
            except OSError:
                return
            with connection:
                self._session(connection)

    def _session(self, connection: socket.socket) -> None:
        sequences = smpplib.client.SimpleSequenceGenerator()
        while (raw := _read_pdu(connection)) is not None:
            pdu: Any = smpplib.smpp.parse_pdu(raw, client=sequences, allow_unknown_opt_params=True)
            reply: dict[str, Any] = {"client": sequences, "sequence": pdu.sequence}
            if pdu.command == "bind_transmitter":
                good = (pdu.system_id.decode(), pdu.password.decode()) == (self.system_id, self.password)
                status = smpplib.consts.SMPP_ESME_ROK if good else smpplib.consts.SMPP_ESME_RINVPASWD
                answer = smpplib.smpp.make_pdu("bind_transmitter_resp", status=status, system_id="SMSC", **reply)
            elif pdu.command == "submit_sm":
                self.submitted.append(Submitted(
                    pdu.destination_addr.decode(), pdu.source_addr.decode(), pdu.data_coding,
                    pdu.short_message.decode("utf-16-be" if pdu.data_coding == 8 else "ascii"),
                ))  # fmt: skip
                answer = smpplib.smpp.make_pdu("submit_sm_resp", message_id=f"smsc-{len(self.submitted)}", **reply)
            elif pdu.command == "unbind":
                answer = smpplib.smpp.make_pdu("unbind_resp", **reply)
            else:
                answer = smpplib.smpp.make_pdu("generic_nack", status=smpplib.consts.SMPP_ESME_RINVCMDID, **reply)
            connection.sendall(answer.generate())
            if pdu.command == "unbind":
                return


def _read_pdu(connection: socket.socket) -> bytes | None:
    """One PDU: the 4-byte command_length, then the rest of the header and body; None when the client has gone."""
    header = _read_exactly(connection, 4)
    if header is None:
        return None
    (length,) = struct.unpack(">L", header)
    body = _read_exactly(connection, length - 4)
    return None if body is None else header + body


def _read_exactly(connection: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data
