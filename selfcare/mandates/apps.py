from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MandatesConfig(AppConfig):
    name = "selfcare.mandates"
    verbose_name = _("Powers of attorney")
