"""Django's database session engines (SESSION_ENGINE: `.db`, and `.cached_db` when Redis is configured), without
asking whether a new key is taken before inserting it.

Django's `create()` draws a random key, asks the cache and then the database whether it exists, and only then
inserts it with `must_create`, whose primary key refuses a taken key all the same (CreateError: draw again). The
question was a statement and a cache call per new session: every first visit that stores something and every
login (the key is rotated) made them. The insert alone decides, as it did for a key taken in between anyway.

Ending a session (the old key at a login's rotation, a logout's flush) is one DELETE of its row: Django's own
selects the row first and deletes the model instance through the deletion collector, two statements and their
Python for a table nothing refers to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.sessions.backends.base import VALID_KEY_CHARS, CreateError
from django.db import connections, router
from django.utils.crypto import get_random_string


class InsertDecidesMixin:
    """`create()` of `django.contrib.sessions.backends.db.SessionStore` without the `exists()` before the insert,
    and `delete()` as one statement (see the module)."""

    _session_key: str | None
    modified: bool

    if TYPE_CHECKING:  # the engine's own, after this class in the method order

        def save(self, must_create: bool = False) -> None: ...

        @property
        def session_key(self) -> str | None: ...

        model: Any

    def create(self) -> None:
        while True:
            self._session_key = get_random_string(32, VALID_KEY_CHARS)
            try:
                self.save(must_create=True)  # the primary key refuses a key that is taken
            except CreateError:
                continue
            self.modified = True
            return

    def delete(self, session_key: str | None = None) -> None:
        """Delete the session's row (this session's, or `session_key`'s) in one statement; none is no error."""
        key = self.session_key if session_key is None else session_key
        if key is None:
            return
        # The statement itself: nothing refers to sessions and no signal is attached to them, and the queryset's
        # delete() would still wrap its DELETE in a transaction of its own (BEGIN and COMMIT, two round trips more).
        connection = connections[router.db_for_write(self.model)]
        table = connection.ops.quote_name(self.model._meta.db_table)
        column = connection.ops.quote_name(self.model._meta.get_field("session_key").column)
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table} WHERE {column} = %s", [key])  # noqa: S608 - names from the model
