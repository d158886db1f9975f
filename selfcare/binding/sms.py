"""Sending SMS: one small interface, gateways chosen by the setting `SMS_BACKEND`, delivery after commit.

`queue_sms` writes an `SmsMessage` inside the caller's transaction and arranges `deliver` to run after the commit:
a rolled-back transaction sends nothing, and a message is never sent for data that was not saved. Delivery is
in-process with a few immediate retries; every attempt is recorded on the message (attempts, error, sent_at).

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
from django.utils import timezone
from django.utils.module_loading import import_string

from selfcare.binding.models import SmsMessage, SmsStatus

logger = logging.getLogger(__name__)


class SmsError(Exception):
    """The gateway did not accept the message; worth another attempt."""


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
    """Store the message now and send it after the surrounding transaction commits (at once outside one)."""
    message = SmsMessage.objects.create(to=to, text=text, backend=settings.SMS_BACKEND)
    transaction.on_commit(partial(deliver, message.pk))
    return message


def deliver(message_id: int) -> SmsMessage:
    """Send a queued message, retrying up to `SMS_MAX_ATTEMPTS` times; the outcome is recorded on the message."""
    message = SmsMessage.objects.get(pk=message_id)
    if message.status != SmsStatus.QUEUED:
        return message
    sender = gateway()
    while message.attempts < settings.SMS_MAX_ATTEMPTS:
        message.attempts += 1
        try:
            message.message_id = sender.send(message.to, message.text)
        except SmsError as error:
            message.error = str(error)[:300]
            logger.warning("SMS %s to %s: attempt %s failed", message.pk, message.to, message.attempts)
            continue
        message.status, message.sent_at, message.error = SmsStatus.SENT, timezone.now(), ""
        if not sender.keeps_text:
            message.text = ""
        break
    else:
        message.status = SmsStatus.FAILED
    message.save(update_fields=["attempts", "message_id", "error", "status", "sent_at", "text"])
    return message


# A message queued this recently is still being delivered by its own request's after-commit step.
IN_FLIGHT_SECONDS = 60


def deliver_pending(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """The worker's pass: deliver messages left queued (their process died between commit and delivery).

    A message older than a one-time code's validity is marked failed instead: a code that arrives after it
    expired only confuses the person.
    """
    moment = now or timezone.now()
    queued = SmsMessage.objects.filter(
        status=SmsStatus.QUEUED, created_at__lte=moment - datetime.timedelta(seconds=IN_FLIGHT_SECONDS)
    )
    expired = queued.filter(created_at__lt=moment - datetime.timedelta(seconds=settings.OTP_VALIDITY_SECONDS))
    outcome = {
        "expired": expired.update(status=SmsStatus.FAILED, error="expired before delivery"),
        "sent": 0,
        "failed": 0,
    }
    for message_id in queued.values_list("pk", flat=True):
        delivered = deliver(message_id)
        outcome["sent" if delivered.status == SmsStatus.SENT else "failed"] += 1
    return outcome
