"""`make run` names the portal's address only once the server answers there."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from selfcare.demo import ready


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_no_address_is_printed_while_nothing_listens(capsys: pytest.CaptureFixture[str], monkeypatch: Any) -> None:
    monkeypatch.setattr(ready, "TIMEOUT_SECONDS", 0.5)
    monkeypatch.setattr(ready, "wait_until_listening", lambda url, **_: ready.listening(url))
    assert ready.main([f"http://127.0.0.1:{_free_port()}"]) == 1
    assert capsys.readouterr().out == ""


@pytest.mark.django_db
def test_the_address_is_printed_once_the_portal_answers(live_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert ready.wait_until_listening(live_server.url, timeout=10)
    assert ready.main([live_server.url + "/"]) == 0
    out = capsys.readouterr().out
    assert f"Portal:      {live_server.url}/" in out
    assert out.endswith("\n")
