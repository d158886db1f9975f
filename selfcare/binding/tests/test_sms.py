"""SMS delivery after commit: retries recorded on the message, the outcome kept, the code not kept by real gateways."""

from __future__ import annotations

import io
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any, ClassVar

import pytest

from selfcare.binding.models import SmsMessage, SmsStatus
from selfcare.binding.sms import SmsError, deliver, queue_sms

pytestmark = pytest.mark.django_db

Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


class FlakyGateway:
    """An edge stand-in for an operator's gateway: refuses the first `failures` messages it is given."""

    keeps_text: ClassVar[bool] = False
    failures: ClassVar[int] = 0
    sent: ClassVar[list[tuple[str, str]]] = []

    def send(self, to: str, text: str) -> str:
        if FlakyGateway.failures > 0:
            FlakyGateway.failures -= 1
            raise SmsError("SMSC busy")
        FlakyGateway.sent.append((to, text))
        return f"smsc-{len(FlakyGateway.sent)}"


@pytest.fixture
def flaky(settings: Any) -> type[FlakyGateway]:
    settings.SMS_BACKEND = f"{__name__}.FlakyGateway"
    settings.SMS_MAX_ATTEMPTS = 3
    FlakyGateway.failures, FlakyGateway.sent = 0, []
    return FlakyGateway


def test_the_outbox_keeps_the_message_for_the_demo_phone(django_capture_on_commit_callbacks: Capture) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        queued = queue_sms("+37125100001", "hello")
        assert SmsMessage.objects.get(pk=queued.pk).status == SmsStatus.QUEUED
    message = SmsMessage.objects.get(pk=queued.pk)
    assert (message.status, message.text, message.attempts) == (SmsStatus.SENT, "hello", 1)
    assert message.sent_at is not None
    assert message.message_id.startswith("outbox-")


def test_a_refused_message_is_retried_and_each_attempt_is_recorded(
    django_capture_on_commit_callbacks: Capture, flaky: type[FlakyGateway]
) -> None:
    flaky.failures = 2
    with django_capture_on_commit_callbacks(execute=True):
        queued = queue_sms("+37125100001", "Your code is 123456")
    message = SmsMessage.objects.get(pk=queued.pk)
    assert (message.status, message.attempts, message.message_id) == (SmsStatus.SENT, 3, "smsc-1")
    assert flaky.sent == [("+37125100001", "Your code is 123456")]
    assert message.text == ""  # handed on: the code is not kept in our database


def test_a_message_refused_every_time_stays_queued_with_the_error_for_the_worker(
    django_capture_on_commit_callbacks: Capture, flaky: type[FlakyGateway]
) -> None:
    flaky.failures = 5
    with django_capture_on_commit_callbacks(execute=True):
        queued = queue_sms("+37125100001", "x")
    message = SmsMessage.objects.get(pk=queued.pk)
    assert (message.status, message.attempts, message.error) == (SmsStatus.QUEUED, 3, "SMSC busy")
    assert message.sent_at is None
    assert message.next_attempt_at is not None
    assert message.next_attempt_at > message.created_at


def test_a_message_already_sent_is_not_sent_twice(
    django_capture_on_commit_callbacks: Capture, flaky: type[FlakyGateway]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        queued = queue_sms("+37125100001", "x")
    deliver(queued.pk)
    assert len(flaky.sent) == 1


@pytest.mark.django_db
def test_the_worker_delivers_a_message_left_queued_and_expires_one_too_old_to_be_useful() -> None:
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    from selfcare.binding.models import SmsMessage, SmsStatus

    now = timezone.now()
    stuck = SmsMessage.objects.create(to="+37125100001", text="Jūsu kods", backend="outbox")
    stale = SmsMessage.objects.create(to="+37125100002", text="Jūsu kods", backend="outbox")
    fresh = SmsMessage.objects.create(to="+37125100003", text="Jūsu kods", backend="outbox")
    SmsMessage.objects.filter(pk=stuck.pk).update(created_at=now - datetime.timedelta(minutes=2))
    SmsMessage.objects.filter(pk=stale.pk).update(created_at=now - datetime.timedelta(minutes=30))
    call_command("sms_worker", "--once", stdout=io.StringIO())
    statuses = dict(SmsMessage.objects.values_list("pk", "status"))
    assert statuses == {stuck.pk: SmsStatus.SENT, stale.pk: SmsStatus.FAILED, fresh.pk: SmsStatus.QUEUED}
