"""SESSION_ENGINE with Redis: Django's database sessions read through the cache (see the package)."""

from __future__ import annotations

from django.contrib.sessions.backends import cached_db

from selfcare.security.session_engines import InsertDecidesMixin


class SessionStore(InsertDecidesMixin, cached_db.SessionStore):
    pass
