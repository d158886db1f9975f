"""The authentication backend of eID logins: it restores the logged-in user of a session and authenticates
nothing. A person is logged in only by `identity.services.login_verified` (through `selfcare.login_flow.log_in`),
after an eID method verified them; no user name and password, anywhere, can log anyone in (SECURITY.md 6.1.3).
Django's password backend is added to AUTHENTICATION_BACKENDS only when the audited break-glass setting
STAFF_PASSWORD_BREAK_GLASS is on."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import User
from django.db import router
from django.http import HttpRequest

from selfcare.identity.models import DigitalIdentity
from selfcare.queries import MARK_ID, Prepared


class EidOnlyBackend(ModelBackend):
    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> AbstractBaseUser | None:
        return None

    def get_user(self, user_id: Any) -> User | None:
        """The session's user with their digital identity in the same statement: every page of a logged-in person
        reads both (`identity_of`, the page header), and the identity was a second statement per request. Which
        user, and whether they may be logged in, are decided as by Django's ModelBackend.

        The statement is Django's own `select_related` read, compiled once (selfcare.queries.Prepared: it is on
        every request, and compiling it was about a twentieth of a page's CPU); its row is made into the two
        instances as `select_related` makes them (`from_db`, each one cached on the other)."""
        rows = _USER_WITH_IDENTITY.rows(user_id=User._meta.pk.to_python(user_id))
        if not rows:
            return None
        alias = router.db_for_read(User)
        user_fields = User._meta.concrete_fields
        user = User.from_db(alias, [f.attname for f in user_fields], rows[0][: len(user_fields)])
        identity_values = rows[0][len(user_fields) :]
        link = DigitalIdentity._meta.get_field("user")
        if identity_values[0] is None:  # no identity (a break-glass staff user): the LEFT JOIN's NULLs
            link.remote_field.set_cached_value(user, None)
        else:
            identity = DigitalIdentity.from_db(alias, [f.attname for f in _IDENTITY_FIELDS], identity_values)
            link.remote_field.set_cached_value(user, identity)
            link.set_cached_value(identity, user)
        return user if self.user_can_authenticate(user) else None


_IDENTITY_FIELDS = DigitalIdentity._meta.concrete_fields
_USER_WITH_IDENTITY = Prepared(
    User, lambda user_id: User._default_manager.select_related("digital_identity").filter(pk=user_id), user_id=MARK_ID
)
