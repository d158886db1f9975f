"""The authentication backend of eID logins: it restores the logged-in user of a session and authenticates
nothing. A person is logged in only by `identity.services.login_verified` (through `selfcare.login_flow.log_in`),
after an eID method verified them; no user name and password, anywhere, can log anyone in (SECURITY.md 6.1.3).
Django's password backend is added to AUTHENTICATION_BACKENDS only when the audited break-glass setting
STAFF_PASSWORD_BREAK_GLASS is on."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest


class EidOnlyBackend(ModelBackend):
    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> AbstractBaseUser | None:
        return None
