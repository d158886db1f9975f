"""E-mail as a background task: sent by a worker, retried with back-off while the mail server refuses or is away.

A mail has no row of its own, so a task taken back from a dead worker after the server accepted the mail sends it
again: at least once, which for notices is the right side to err on.
"""

from __future__ import annotations

from functools import partial

from django.core.mail import send_mail
from django.db import transaction

from selfcare.background.tasks import retrying_task


@retrying_task(attempts=5, backoff=60, retry_on=(OSError,))  # smtplib's errors are OSErrors
def send_email(subject: str, text: str, to: list[str], from_email: str | None = None) -> None:
    send_mail(subject, text, from_email, to)


def queue_email(subject: str, text: str, to: list[str], from_email: str | None = None) -> None:
    """Enqueue the mail once the caller's transaction commits (nothing is sent for data that was not saved)."""
    transaction.on_commit(partial(send_email.enqueue, str(subject), str(text), list(to), from_email))
