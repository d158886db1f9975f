from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsageConfig(AppConfig):
    name = "selfcare.usage"
    verbose_name = _("Usage")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core import checks

        from selfcare.usage.checks import postgresql_version

        # A database check: `migrate` runs it, so a deploy onto a PostgreSQL older than 15 stops there.
        checks.register(postgresql_version, checks.Tags.database)
