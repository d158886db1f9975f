"""What the OpenID provider remembers beyond django-oauth-toolkit's own tables.

`ClientLogin`: one eID login handed to one client through one authorization code, and everything issued from it.
django-oauth-toolkit deletes a grant once its code is exchanged and does not link tokens to the code, so it could
neither revoke the tokens of a replayed code (SECURITY.md 10.4.x) nor keep the eID method and login time for the
ID tokens of later refreshes; this row does both. The code is kept only as a SHA-256 digest.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from selfcare.identity.models import DigitalIdentity


class ClientLogin(models.Model):
    code_digest = models.CharField(_("authorization code (SHA-256)"), max_length=64, unique=True)
    application = models.ForeignKey(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("application"),
    )
    identity = models.ForeignKey(
        DigitalIdentity, on_delete=models.CASCADE, related_name="client_logins", verbose_name=_("digital identity")
    )
    # The refresh token family (django-oauth-toolkit's RefreshToken.token_family) minted from the code.
    token_family = models.UUIDField(_("token family"), null=True, blank=True, unique=True)
    auth_time = models.DateTimeField(_("eID login time"))
    method = models.CharField(_("eID method"), max_length=40)
    level = models.CharField(_("assurance level"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_reason = models.CharField(_("reason"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("client login")
        verbose_name_plural = _("client logins")

    def __str__(self) -> str:
        return f"{self.method} {self.auth_time:%Y-%m-%d %H:%M}"
