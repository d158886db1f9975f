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
from django.http import HttpRequest


class EidOnlyBackend(ModelBackend):
    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> AbstractBaseUser | None:
        return None

    def get_user(self, user_id: Any) -> User | None:
        """The session's user with their digital identity in the same statement: every page of a logged-in person
        reads both (`identity_of`, the page header), and the identity was a second statement per request. Which
        user, and whether they may be logged in, are decided as by Django's ModelBackend."""
        try:
            user = User._default_manager.select_related("digital_identity").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
