from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "selfcare.channels"
    label = "channels"
    verbose_name = _("Digital channels")

    def ready(self) -> None:
        from selfcare.channels.oidc.grants import ClientLoginGrants
        from selfcare.security.sessions import register_app_token_source

        register_app_token_source(ClientLoginGrants())
