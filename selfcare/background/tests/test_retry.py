"""A task retried after a gateway fault: the SMS gateway answers 503, the delivery task is enqueued again with
back-off, and once the gateway is back the next attempt delivers the message, once. A real HTTP gateway, the real
queue (database backend) and django-tasks' worker, run in this process."""

from __future__ import annotations

import datetime
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from selfcare.background.selectors import RETRIED, queue_counts
from selfcare.background.tasks import backoff_seconds
from selfcare.background.worker import run_pass
from selfcare.binding.models import SmsStatus
from selfcare.binding.sms import RETRY_SECONDS, queue_sms

pytestmark = pytest.mark.django_db(transaction=True)


class Gateway:
    """An HTTP SMS gateway that answers 503 while `down`, and takes messages otherwise."""

    def __init__(self) -> None:
        self.down = True
        self.refused = 0
        self.accepted: list[dict[str, Any]] = []


@pytest.fixture
def gateway(settings: Any, queue: None) -> Iterator[Gateway]:
    state = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if state.down:
                state.refused += 1
                self.send_response(503)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            state.accepted.append(body)
            answer = json.dumps({"id": f"gw-{len(state.accepted)}"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            """Silent: the text may hold a one-time code."""

    with ThreadingHTTPServer(("127.0.0.1", 0), Handler) as httpd:
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        settings.DEBUG = True  # plain http to a local gateway; production needs https
        settings.SMS_BACKEND, settings.SMS_HTTP_TOKEN = "http", "token-123"
        settings.SMS_HTTP_URL, settings.SMS_HTTP_TIMEOUT = f"http://127.0.0.1:{httpd.server_address[1]}/sms", 2
        yield state
        httpd.shutdown()


def test_an_sms_refused_with_503_is_retried_after_the_back_off_and_sent_once_the_gateway_is_back(
    gateway: Gateway, settings: Any
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        with transaction.atomic():
            message = queue_sms("+37125100001", "Your code: 123456")
        # The page's request only enqueued it: nothing went to the gateway yet.
        assert gateway.refused == 0
        assert DBTaskResult.objects.ready().count() == 1

        run_pass(worker_id="first")
    assert gateway.refused == settings.SMS_MAX_ATTEMPTS
    message.refresh_from_db()
    assert message.status == SmsStatus.QUEUED
    retry = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert retry.args_kwargs["kwargs"] == {"_attempt": 2}
    assert retry.run_after == start + datetime.timedelta(seconds=backoff_seconds(1, RETRY_SECONDS))
    assert DBTaskResult.objects.get(status=TaskResultStatus.FAILED).exception_class_path == RETRIED

    gateway.down = False
    with time_machine.travel(start + datetime.timedelta(seconds=RETRY_SECONDS - 5), tick=False):
        run_pass(worker_id="too-early")  # the back-off has not passed: the retry waits
    assert gateway.accepted == []
    with time_machine.travel(start + datetime.timedelta(seconds=RETRY_SECONDS + 1), tick=False):
        run_pass(worker_id="second")

    message.refresh_from_db()
    assert message.status == SmsStatus.SENT
    assert [m["to"] for m in gateway.accepted] == ["+37125100001"]
    states = {(c.task, c.state): c.count for c in queue_counts()}
    assert states == {
        ("selfcare.binding.tasks.deliver_sms", "retried"): 1,
        ("selfcare.binding.tasks.deliver_sms", "successful"): 1,
    }
