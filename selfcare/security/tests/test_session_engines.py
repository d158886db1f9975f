"""The session engines insert a new session's random key without asking first whether it is taken."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from selfcare.security import session_engines
from selfcare.security.session_engines import cached_db, db

pytestmark = pytest.mark.django_db

ENGINES = [db.SessionStore, cached_db.SessionStore]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_new_session_is_one_insert_without_a_lookup_first(engine: type[db.SessionStore]) -> None:
    store = engine()
    store["visited"] = True
    with CaptureQueriesContext(connection) as captured:
        store.create()
    statements = [q["sql"] for q in captured.captured_queries if "django_session" in q["sql"]]
    assert len(statements) == 1
    assert statements[0].startswith("INSERT")
    assert engine(session_key=store.session_key).load() == {"visited": True}


@pytest.mark.parametrize("engine", ENGINES)
def test_a_key_already_taken_is_drawn_again_and_the_other_session_is_untouched(
    engine: type[db.SessionStore], monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = engine()
    taken["owner"] = "someone else"
    taken.create()
    assert taken.session_key is not None
    keys: Iterator[str] = iter([taken.session_key, "k" * 32])
    monkeypatch.setattr(session_engines, "get_random_string", lambda length, chars: next(keys))
    store = engine()
    store["owner"] = "me"
    store.create()
    assert store.session_key == "k" * 32
    assert engine(session_key=taken.session_key).load() == {"owner": "someone else"}
    assert Session.objects.count() == 2


@pytest.mark.parametrize("engine", ENGINES)
def test_rotating_the_key_at_login_keeps_the_data_under_a_new_key_and_ends_the_old(
    engine: type[db.SessionStore],
) -> None:
    store = engine()
    store["pending"] = "login"
    store.create()
    old = store.session_key
    assert old is not None
    store.cycle_key()
    assert store.session_key != old
    assert not engine().exists(old)
    assert engine(session_key=store.session_key).load() == {"pending": "login"}


@pytest.mark.parametrize("engine", ENGINES)
def test_ending_a_session_is_one_delete_and_neither_its_row_nor_a_cached_copy_is_left(
    engine: type[db.SessionStore],
) -> None:
    store = engine()
    store["user"] = "7"
    store.create()
    key = store.session_key
    assert engine(session_key=key).load() == {"user": "7"}  # cached_db: now in the cache as well
    with CaptureQueriesContext(connection) as captured:
        store.flush()  # a logout
    statements = [q["sql"] for q in captured.captured_queries]  # all of them: no BEGIN and COMMIT around it either
    assert len(statements) == 1
    assert statements[0].startswith("DELETE")
    assert engine(session_key=key).load() == {}
    assert not Session.objects.exists()
    engine().delete("no-such-session-key-000000000000")  # ending one that is gone already is no error
