from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "selfcare.access"
    verbose_name = _("Access")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.core import checks

        from selfcare.access import breakglass

        user_logged_in.connect(breakglass.audit_password_login, dispatch_uid="access.break-glass")
        checks.register(breakglass.password_staff_check, checks.Tags.security, deploy=True)


__all__: list[Any] = ["AccessConfig"]
