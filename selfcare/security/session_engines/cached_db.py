"""SESSION_ENGINE with Redis: Django's database sessions read through the cache (see the package)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.backends import cached_db
from django.core.cache import caches

from selfcare.security.session_engines import InsertDecidesMixin


class SessionStore(InsertDecidesMixin, cached_db.SessionStore):
    def delete(self, session_key: str | None = None) -> None:
        """The row (InsertDecidesMixin: one statement), then the cached copy, as Django's cached_db does."""
        key = self.session_key if session_key is None else session_key
        if key is None:
            return
        super().delete(key)
        caches[settings.SESSION_CACHE_ALIAS].delete(self.cache_key_prefix + key)  # the engine's own cache
