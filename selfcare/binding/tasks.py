"""SMS delivery as background tasks: one per message, retried with back-off while the gateway does not take it.

The message row is the task's business id: `deliver` claims it before each attempt and never sends a message that
is already sent, so a task run twice (retried, or taken back from a dead worker) sends it once. The back-off starts
at the pass interval `RETRY_SECONDS` and its attempts end within a code's validity, after which `deliver` gives
the message up as expired.
"""

from __future__ import annotations

from typing import Any

from selfcare.background.tasks import retrying_task
from selfcare.binding.models import SmsStatus
from selfcare.binding.sms import RETRY_SECONDS, deliver, deliver_pending


class SmsNotSent(Exception):
    """The gateway has not taken the message yet (down, timing out, or another process holds the attempt)."""


@retrying_task(attempts=5, backoff=RETRY_SECONDS, retry_on=(SmsNotSent,))
def deliver_sms(message_id: int) -> str:
    message = deliver(message_id)
    if message.status == SmsStatus.QUEUED:
        raise SmsNotSent(f"SMS {message_id} still queued: {message.error or 'not due yet'}")
    return str(message.status)


@retrying_task(attempts=1, backoff=RETRY_SECONDS)
def sweep_queued_sms() -> dict[str, Any]:
    """Periodic safety net: messages whose task was never enqueued (the process died between the commit and the
    enqueue) or gave up while the message is still valid."""
    return dict(deliver_pending())
