"""The break-glass door and its guard: production refuses password-capable staff accounts, and when the
emergency setting STAFF_PASSWORD_BREAK_GLASS is on, every password login is written to the audit trail."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError
from django.http import HttpRequest

from selfcare.access.staff import refuse_password_staff
from selfcare.audit.services import record

logger = logging.getLogger(__name__)
PASSWORD_BACKEND = "django.contrib.auth.backends.ModelBackend"  # noqa: S105 - a class path, not a password


def audit_password_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """A login through Django's password backend can only happen with the break-glass setting on: audited, and
    logged as a warning for the operator's monitoring."""
    if getattr(user, "backend", "") != PASSWORD_BACKEND:
        return
    logger.warning("break-glass password login of staff account %s", user.get_username())
    record(request, "access:break-glass:login", identity=None, target=user, staff_role="break-glass")


def password_staff_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """`selfcare check --deploy`: the same refusal as at start-up."""
    try:
        refuse_password_staff()
    except ImproperlyConfigured as problem:
        return [checks.Error(str(problem), id="selfcare.E010")]
    except DatabaseError:
        return []  # no database yet (before migrate): nothing to refuse
    if settings.STAFF_PASSWORD_BREAK_GLASS:
        return [
            checks.Warning("STAFF_PASSWORD_BREAK_GLASS is on: staff can log in with passwords.", id="selfcare.W010")
        ]
    return []
