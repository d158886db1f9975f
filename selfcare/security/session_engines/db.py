"""SESSION_ENGINE without Redis: Django's database sessions (see the package)."""

from __future__ import annotations

from django.contrib.sessions.backends import db

from selfcare.security.session_engines import InsertDecidesMixin


class SessionStore(InsertDecidesMixin, db.SessionStore):
    pass
