"""The SMS gateway down or hanging when a person asks for a code: the code stays queued, the person is told it is
on its way, and the worker delivers it exactly once when the gateway is back.

The gateway is a real HTTP server reached through a TCP proxy (selfcare/tests/faults.py) that the test cuts (the
gateway refuses), makes hang (it accepts and never answers) and restores, on the same address, as an operator's
gateway restarting would look to the portal's production HTTP client.
"""

from __future__ import annotations

import datetime
import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from selfcare.access.tests import factories as people
from selfcare.binding.models import SmsMessage, SmsStatus
from selfcare.binding.sms import RETRY_SECONDS, deliver_pending
from selfcare.customers.tests import factories
from selfcare.tests.faults import TcpProxy

pytestmark = pytest.mark.django_db

NUMBER = "+37125100001"
Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@pytest.fixture
def gateway_received() -> Iterator[tuple[list[dict[str, Any]], int]]:
    """A working HTTP SMS gateway: the messages it accepted, and its port."""
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            body = json.dumps({"id": f"gw-{len(received)}"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            """Silent: the request log would print the message, which holds a one-time code."""

    with ThreadingHTTPServer(("127.0.0.1", 0), Handler) as httpd:
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        yield received, httpd.server_address[1]
        httpd.shutdown()


@pytest.fixture
def gateway(settings: Any, gateway_received: tuple[list[dict[str, Any]], int]) -> Iterator[TcpProxy]:
    """The portal's SMS backend is the HTTP gateway, reached through a proxy the test controls."""
    with TcpProxy("127.0.0.1", gateway_received[1]) as proxy:
        settings.DEBUG = True  # plain http to a local gateway; production needs https
        settings.SMS_BACKEND, settings.SMS_HTTP_TOKEN = "http", "token-123"
        settings.SMS_HTTP_URL, settings.SMS_HTTP_TIMEOUT = f"http://127.0.0.1:{proxy.port}/sms", 0.3
        yield proxy


def _ask_for_a_code(capture: Capture) -> str:
    """Anna-like person with no work number yet asks for a code on the page; the page they then see."""
    factories.connection(account=factories.business_account(), msisdn=NUMBER)
    client = Client()
    client.force_login(people.person("32579104511").user)
    with capture(execute=True):  # the request's transaction commits: delivery is attempted after it
        response = client.post("/en/work-number/", {"number": NUMBER})
    assert response["Location"] == "/en/work-number/confirm/"
    return client.get(response["Location"]).content.decode()


def _worker_pass(minutes_later: int) -> dict[str, int]:
    """A pass of the worker, as it would run that many minutes from now (each after the previous one's retry)."""
    assert minutes_later * 60 > RETRY_SECONDS
    return deliver_pending(now=timezone.now() + datetime.timedelta(minutes=minutes_later))


@pytest.mark.parametrize("fault", ["cut", "hang"])
def test_a_code_asked_for_while_the_gateway_fails_is_delivered_once_when_it_is_back(
    django_capture_on_commit_callbacks: Capture,
    gateway: TcpProxy,
    gateway_received: tuple[list[dict[str, Any]], int],
    fault: str,
) -> None:
    getattr(gateway, fault)()
    page = _ask_for_a_code(django_capture_on_commit_callbacks)
    assert "If this number can be bound, we sent a code to it: +371 25 100 001." in page
    assert "we keep sending it until it gets through" in page
    message = SmsMessage.objects.get()
    # Refused: retried at once; timed out: not again in the same request, which would keep the person waiting.
    assert (message.status, message.attempts) == (SmsStatus.QUEUED, 3 if fault == "cut" else 1)
    assert re.search(r"\b\d{6}\b", message.text)  # not lost: the code is still there to send
    assert "unreachable" in message.error

    assert _worker_pass(1) == {"expired": 0, "sent": 0, "failed": 0, "waiting": 1}  # still down: still queued
    gateway.restore()
    assert _worker_pass(2) == {"expired": 0, "sent": 1, "failed": 0, "waiting": 0}
    assert _worker_pass(3) == {"expired": 0, "sent": 0, "failed": 0, "waiting": 0}  # never twice

    received = gateway_received[0]
    assert [item["to"] for item in received] == [NUMBER]
    message.refresh_from_db()
    assert (message.status, message.message_id, message.text) == (SmsStatus.SENT, "gw-1", "")
    assert re.search(r"\b\d{6}\b", received[0]["text"])


def test_a_message_another_process_has_claimed_is_not_sent_by_this_one(
    django_capture_on_commit_callbacks: Capture,
    gateway: TcpProxy,
    gateway_received: tuple[list[dict[str, Any]], int],
) -> None:
    """Two workers (or a worker and the request's own after-commit step) never both send one message."""
    from selfcare.binding.sms import _claim, deliver

    gateway.cut()
    _ask_for_a_code(django_capture_on_commit_callbacks)
    gateway.restore()
    message = SmsMessage.objects.get()
    later = timezone.now() + datetime.timedelta(seconds=RETRY_SECONDS + 1)
    assert _claim(message, later)  # the other process is sending it right now
    assert deliver(message.pk, now=later).status == SmsStatus.QUEUED
    assert gateway_received[0] == []


def test_a_code_the_gateway_never_took_is_given_up_once_it_could_no_longer_be_used(
    django_capture_on_commit_callbacks: Capture, gateway: TcpProxy, settings: Any
) -> None:
    gateway.cut()
    _ask_for_a_code(django_capture_on_commit_callbacks)
    gateway.restore()
    after_validity = timezone.now() + datetime.timedelta(seconds=settings.OTP_VALIDITY_SECONDS + 1)
    assert deliver_pending(now=after_validity)["expired"] == 1
    assert SmsMessage.objects.get().status == SmsStatus.FAILED
