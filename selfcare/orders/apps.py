from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "selfcare.orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from django.core import checks

        from selfcare.orders.config import deploy_check

        # `check --deploy` names what is missing; the portal also refuses at the first order (ordering_config).
        checks.register(deploy_check, checks.Tags.security, deploy=True)
