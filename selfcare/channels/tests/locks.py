"""A race between two token requests made to happen every time: the other request's write is held uncommitted in
a second PostgreSQL connection while the test's request runs in a thread; once its statement waits for the row,
the other commits first."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from django.db import connection


def _connect(*, autocommit: bool = False) -> psycopg.Connection[Any]:
    settings = connection.settings_dict
    return psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        autocommit=autocommit,
    )


def answer_after_losing(request: Callable[[], Any], *, other_writes: str, params: list[Any], waits_in: str) -> Any:
    """`request`'s answer when another request wrote `other_writes` first: held until `request`'s statement that
    starts with `waits_in` waits for the row, then committed."""
    answers: list[Any] = []

    def run() -> None:
        try:
            answers.append(request())
        finally:
            connection.close()  # the thread's own connection

    other = _connect()
    try:
        other.execute(other_writes.encode(), params)
        thread = threading.Thread(target=run)
        thread.start()
        with _connect(autocommit=True) as watcher:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                waiting = watcher.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE %s",
                    [waits_in.replace("%", r"\%") + "%"],
                ).fetchone()
                if waiting and waiting[0]:
                    break
                time.sleep(0.02)
            else:
                pytest.fail(f"the request never waited for the other one's row ({waits_in}…)")
        other.commit()
        thread.join(10)
    finally:
        other.close()
    assert answers, "the request did not answer"
    return answers[0]
