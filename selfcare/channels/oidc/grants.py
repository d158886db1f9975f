"""The OpenID provider's grants on the person's security page: one per client login (an app's eID login and the
refresh-token family issued from it), with the app, when it was given, when a token was last issued from it, and
the eID method. Ending one revokes the family — its refresh tokens and access tokens — and the API refuses the
family's access tokens at once (selfcare.channels.api.auth checks the client login on every call).

Registered in selfcare.security.sessions' APP_TOKEN_SOURCES from ChannelsConfig.ready().
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.utils import timezone
from oauth2_provider.models import RefreshToken

from selfcare.channels.models import ClientLogin
from selfcare.channels.oidc.validator import revoke_client_login
from selfcare.identity.models import DigitalIdentity
from selfcare.security.sessions import AppGrant

REVOKED_BY_PERSON = "ended by the person"


class ClientLoginGrants:
    name = "oidc"

    def _live(self, identity: DigitalIdentity) -> QuerySet[ClientLogin]:
        # Past the absolute refresh limit nothing can be issued any more: such a login is not listed.
        oldest = timezone.now() - datetime.timedelta(seconds=settings.OIDC_REFRESH_TOKEN_ABSOLUTE_SECONDS)
        return ClientLogin.objects.filter(
            identity=identity, revoked_at__isnull=True, token_family__isnull=False, auth_time__gt=oldest
        )

    def grants_of(self, identity: DigitalIdentity) -> list[AppGrant]:
        last_issued = (
            RefreshToken.objects.filter(token_family=OuterRef("token_family"))
            .values("token_family")
            .annotate(last=Max("created"))
            .values("last")
        )
        rows = (
            self._live(identity)
            .select_related("application")
            .annotate(last_issued=Subquery(last_issued))
            .order_by("-created_at")
        )
        return [
            AppGrant(
                source=self.name,
                grant_id=str(login.pk),
                app_name=login.application.name,
                created_at=login.created_at,
                last_used_at=login.last_issued,
                method=login.method,
            )
            for login in rows
        ]

    def revoke(self, identity: DigitalIdentity, grant_id: str) -> bool:
        if not grant_id.isdigit() or len(grant_id) > 18:
            return False
        login = ClientLogin.objects.filter(identity=identity, pk=int(grant_id), revoked_at__isnull=True).first()
        if login is None:
            return False
        revoke_client_login(login, reason=REVOKED_BY_PERSON)
        return True
