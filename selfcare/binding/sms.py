"""Sending SMS: one small interface, gateways chosen by the setting `SMS_BACKEND`, delivery after commit.

`queue_sms` writes an `SmsMessage` inside the caller's transaction and arranges `deliver` to run after the commit:
a rolled-back transaction sends nothing, and a message is never sent for data that was not saved. Delivery is
a background task (`binding.tasks.deliver_sms`) with a few immediate attempts per run and retries with back-off;
every attempt is recorded on the message (attempts, error, sent_at). A message the gateway did not take stays
queued, and a later run sends it once the gateway is back: queued never means lost, and a claim before each attempt
means never sent twice by two processes.

Backends: "outbox" (default) keeps the message in the database, where the demo phone page shows it; "smpp" sends
through the operator's SMSC (`gateways.smpp`); "http" posts to an HTTP SMS gateway (`gateways.http`); any other
value is the dotted path of a class with the `SmsGateway` interface. The text of a message may hold a one-time
code, so it is never logged; a gateway that really hands the message on (`keeps_text = False`) has the text
blanked once it is sent.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from functools import partial
from typing import ClassVar, Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from selfcare.binding.models import SmsMessage, SmsStatus

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The gateway did not accept the message; worth another attempt."""


class SmsTimeout(SmsError):
    """The gateway did not answer in time: worth another attempt, but not at once in the same request, which
    would keep the person waiting for each timeout in turn; the worker's next pass tries again."""


class SmsGateway(Protocol):
    keeps_text: ClassVar[bool]

    def send(self, to: str, text: str) -> str:
        """Hand the message on; return the gateway's message id or raise SmsError."""
        ...


class OutboxGateway:
    """Delivers to the database itself: the stored message is the delivery (development and the demo phone)."""

    keeps_text: ClassVar[bool] = True

    def send(self, to: str, text: str) -> str:
        return f"outbox-{uuid.uuid4().hex}"


# Short names map to dotted paths, imported only when chosen: the gateways import this module (SmsError), and a
# portal on the outbox never loads the SMPP client.
BACKENDS: dict[str, str] = {
    "outbox": f"{__name__}.OutboxGateway",
    "smpp": "selfcare.binding.gateways.smpp.SmppGateway",
    "http": "selfcare.binding.gateways.http.HttpGateway",
}


def gateway() -> SmsGateway:
    name = settings.SMS_BACKEND
    backend: type[SmsGateway] = import_string(BACKENDS.get(name, name))
    return backend()


def queue_sms(to: str, text: str) -> SmsMessage:
    """Store the message now and enqueue its delivery after the surrounding transaction commits (at once outside
    one): a page never waits for the SMS centre."""
    from selfcare.binding.tasks import deliver_sms  # the task module imports this one

    message = SmsMessage.objects.create(to=to, text=text, backend=settings.SMS_BACKEND)
    transaction.on_commit(partial(deliver_sms.enqueue, message.pk))
    return message


def deliver(message_id: int, *, now: datetime.datetime | None = None) -> SmsMessage:
    """Send a queued message: up to `SMS_MAX_ATTEMPTS` attempts now (one only if the gateway times out), each
    claimed first, the outcome recorded.

    A gateway that is down or times out does not lose the message: after this pass's attempts it stays queued
    with the error and a time for the next pass (`RETRY_SECONDS`), and the worker sends it when the gateway is
    back. Only a message that outlived a one-time code's validity is given up (failed), as a late code confuses.

    Each attempt first *claims* the message with one conditional UPDATE (queued, due, and its attempt count
    unchanged), which also pushes its next-attempt time past any gateway timeout (`CLAIM_SECONDS`): of two
    processes that try the same message at once, exactly one sends it. Not covered: a gateway that accepted a
    message but timed out before answering cannot be told from one that never got it; that attempt is retried.
    """
    moment = now or timezone.now()
    message = SmsMessage.objects.get(pk=message_id)
    sender: SmsGateway | None = None
    for _ in range(settings.SMS_MAX_ATTEMPTS):
        if message.status != SmsStatus.QUEUED:
            return message
        if _expired(message, moment):
            message.status, message.error = SmsStatus.FAILED, "expired before delivery"
            message.save(update_fields=["status", "error"])
            return message
        if not _claim(message, moment):
            return SmsMessage.objects.get(pk=message_id)  # another process has it, or it is not due yet
        sender = sender or gateway()
        try:
            message.message_id = sender.send(message.to, message.text)
        except SmsError as error:
            message.error = str(error)[:300]
            message.next_attempt_at = moment  # the next attempt of this pass may go at once
            logger.warning("SMS %s to %s: attempt %s failed", message.pk, message.to, message.attempts)
            message.save(update_fields=["error", "next_attempt_at"])
            if isinstance(error, SmsTimeout):
                break
            continue
        message.status, message.sent_at, message.error = SmsStatus.SENT, timezone.now(), ""
        if not sender.keeps_text:
            message.text = ""
        message.save(update_fields=["message_id", "error", "status", "sent_at", "text"])
        return message
    if message.status == SmsStatus.QUEUED:
        message.next_attempt_at = moment + datetime.timedelta(seconds=RETRY_SECONDS)
        message.save(update_fields=["next_attempt_at"])
    return message


# How long a claimed attempt keeps others away: longer than any gateway's timeout.
CLAIM_SECONDS = 120
# When the worker tries again a message whose attempts all failed.
RETRY_SECONDS = 30


def _claim(message: SmsMessage, moment: datetime.datetime) -> bool:
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=moment)
    claimed = SmsMessage.objects.filter(due, pk=message.pk, status=SmsStatus.QUEUED, attempts=message.attempts).update(
        attempts=F("attempts") + 1, next_attempt_at=moment + datetime.timedelta(seconds=CLAIM_SECONDS)
    )
    if claimed:
        message.attempts += 1
    return bool(claimed)


def _expired(message: SmsMessage, moment: datetime.datetime) -> bool:
    return message.created_at < moment - datetime.timedelta(seconds=settings.OTP_VALIDITY_SECONDS)


_OUTCOMES = {SmsStatus.SENT.value: "sent", SmsStatus.FAILED.value: "failed"}
# A message queued this recently is still being delivered by its own request's after-commit step.
IN_FLIGHT_SECONDS = 60


def deliver_pending(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """The worker's pass: deliver messages left queued (their process died between commit and delivery, or the
    gateway was down or timing out), when they are due.

    A message older than a one-time code's validity is marked failed instead: a code that arrives after it
    expired only confuses the person.
    """
    moment = now or timezone.now()
    queued = SmsMessage.objects.filter(status=SmsStatus.QUEUED)
    expired = queued.filter(created_at__lt=moment - datetime.timedelta(seconds=settings.OTP_VALIDITY_SECONDS))
    outcome = {
        "expired": expired.update(status=SmsStatus.FAILED, error="expired before delivery"),
        "sent": 0,
        "failed": 0,
        "waiting": 0,  # the gateway is still down: tried again on a later pass
    }
    due = queued.filter(
        Q(next_attempt_at__isnull=True, created_at__lte=moment - datetime.timedelta(seconds=IN_FLIGHT_SECONDS))
        | Q(next_attempt_at__lte=moment)
    )
    for message_id in due.values_list("pk", flat=True):
        delivered = deliver(message_id, now=moment)
        outcome[_OUTCOMES.get(str(delivered.status), "waiting")] += 1
    return outcome
