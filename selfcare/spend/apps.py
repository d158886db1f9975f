from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpendConfig(AppConfig):
    name = "selfcare.spend"
    verbose_name = _("Spend caps")
    default_auto_field = "django.db.models.BigAutoField"
