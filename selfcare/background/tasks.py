"""`retrying_task`: django-tasks' `@task` with retries and exponential back-off.

django-tasks 0.12 (like Django 6.0's `django.tasks`) runs a task once and records the outcome; retrying is left to
the application. Here a retryable error enqueues the same task again, with the same arguments and the attempt
number, `backoff * 2**(attempt-1)` seconds later (capped at `MAX_BACKOFF_SECONDS`), and the attempt ends as failed
with `RetryScheduled` so that every attempt stays on record. A task that still fails after its last attempt ends
failed with its own error: that is what `selfcare tasks` counts as failed.

A backend that cannot defer (the immediate backend of the tests) runs the next attempt at once.
"""

from __future__ import annotations

import datetime
import functools
import logging
from collections.abc import Callable
from typing import Any

from django.utils import timezone
from django_tasks import task
from django_tasks.base import Task

logger = logging.getLogger(__name__)

ATTEMPT = "_attempt"
MAX_BACKOFF_SECONDS = 3600.0


class RetryScheduled(Exception):
    """This attempt failed with a retryable error; the next attempt is enqueued."""


def backoff_seconds(attempt: int, backoff: float) -> float:
    """Delay before the attempt after `attempt` (1-based): backoff, 2×, 4×, … capped."""
    return min(backoff * 2.0 ** (attempt - 1), MAX_BACKOFF_SECONDS)


def retrying_task(
    *,
    attempts: int,
    backoff: float,
    retry_on: tuple[type[BaseException], ...] = (Exception,),
    queue_name: str = "default",
    priority: int = 0,
) -> Callable[[Callable[..., Any]], Task[..., Any]]:
    """A task run up to `attempts` times while it raises one of `retry_on`. Its arguments must be JSON values."""

    def decorate(func: Callable[..., Any]) -> Task[..., Any]:
        @functools.wraps(func)
        def run(*args: Any, **kwargs: Any) -> Any:
            attempt = int(kwargs.pop(ATTEMPT, 1))
            try:
                return func(*args, **kwargs)
            except retry_on as error:
                if attempt >= attempts:
                    raise
                delay = backoff_seconds(attempt, backoff)
                following = the_task
                if following.get_backend().supports_defer:
                    following = following.using(run_after=timezone.now() + datetime.timedelta(seconds=delay))
                logger.warning("%s: attempt %s failed (%s); next in %.0f s", func.__name__, attempt, error, delay)
                following.enqueue(*args, **kwargs, **{ATTEMPT: attempt + 1})
                raise RetryScheduled(f"attempt {attempt} of {attempts} failed: {error}") from error

        the_task: Task[..., Any] = task(queue_name=queue_name, priority=priority)(run)
        return the_task

    return decorate
