from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BindingConfig(AppConfig):
    name = "selfcare.binding"
    verbose_name = _("Number bindings")
