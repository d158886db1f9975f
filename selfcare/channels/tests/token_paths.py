"""The one-statement token paths (selfcare/channels/oidc/statements.py) against the library's: their answers
compared, and a race between two token requests made to happen every time — the other request's write is held
uncommitted in a second PostgreSQL connection while the test's request runs in a thread; once its statement waits
for the row, the other commits first."""

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


def assert_answered_alike(ours: Any, theirs: Any, *, varying: set[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two token responses, one by a one-statement path and one by the library's, alike in everything but the
    random and time-dependent values: status, headers, fields and their order, the ID tokens' claims (verified
    against the JWKS) and their order. Returns both ID tokens' claims."""
    import json

    from django.test import Client

    from selfcare.channels.tests import oidc

    assert ours.status_code == theirs.status_code == 200, (ours.content, theirs.content)
    for header in ("Content-Type", "Cache-Control", "Pragma", "X-Content-Type-Options"):
        assert ours[header] == theirs[header], header
    ours_body, theirs_body = json.loads(ours.content), json.loads(theirs.content)
    assert list(ours_body) == list(theirs_body)  # the same fields, in the same order
    for field in ("expires_in", "scope", "token_type"):
        assert ours_body[field] == theirs_body[field], field
    ours_claims = oidc.id_token_claims(Client(), ours_body["id_token"])
    theirs_claims = oidc.id_token_claims(Client(), theirs_body["id_token"])
    assert list(ours_claims) == list(theirs_claims)
    assert {k: v for k, v in ours_claims.items() if k not in varying} == {
        k: v for k, v in theirs_claims.items() if k not in varying
    }
    assert ours_claims["exp"] - ours_claims["iat"] == pytest.approx(theirs_claims["exp"] - theirs_claims["iat"], abs=1)
    return ours_claims, theirs_claims
