"""django-oauth-toolkit's request validator with the project's rules (SECURITY.md "OpenID Connect provider").

What changes against the library's defaults, each tested in selfcare/channels/tests/test_oidc_conformance.py:
- response type `code` and the grants authorization_code and refresh_token only (no implicit, hybrid, password,
  client credentials or device flows, whatever an application row says);
- redirect URIs compared as exact strings (loopback port aside, RFC 8252), see `redirects.py`;
- a replayed authorization code revokes every token issued from it;
- refresh tokens end absolutely `OIDC_REFRESH_TOKEN_ABSOLUTE_SECONDS` after the eID login, and with the identity's
  suspension; a replayed spent one revokes its family (the library's REFRESH_TOKEN_REUSE_PROTECTION, switched on);
- the subject is pairwise per client, never the user's primary key;
- `auth_time`, `acr` and `amr` come from the eID login the code was issued from, not from `User.last_login`.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.conf import settings
from django.utils import timezone
from oauth2_provider.models import RefreshToken
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.common import Request

from selfcare.audit.services import record
from selfcare.channels.models import ClientLogin
from selfcare.channels.oidc import claims
from selfcare.channels.oidc.redirects import redirect_uri_matches
from selfcare.identity.models import DigitalIdentity, IdentityStatus

ALLOWED_GRANT_TYPES = frozenset({"authorization_code", "refresh_token"})


def code_digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


class Validator(OAuth2Validator):  # type: ignore[misc]
    oidc_claim_scope = {
        "sub": "openid",
        "name": "profile",
        "given_name": "profile",
        "family_name": "profile",
        "userAssets": "connections",
    }

    # --- What may be asked for ---------------------------------------------------------------------------------
    def validate_response_type(
        self, client_id: str, response_type: str, client: Any, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        return response_type == "code" and bool(super().validate_response_type(client_id, "code", client, request))

    def validate_grant_type(
        self, client_id: str, grant_type: str, client: Any, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        return grant_type in ALLOWED_GRANT_TYPES and bool(
            super().validate_grant_type(client_id, grant_type, client, request)
        )

    def validate_redirect_uri(
        self, client_id: str, redirect_uri: str, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        return redirect_uri_matches(redirect_uri, request.client.redirect_uris.split())

    def validate_silent_login(self, request: Request) -> bool:
        # prompt=none: the authorization view has already answered login_required unless an eID session is here.
        return True

    def validate_silent_authorization(self, request: Request) -> bool:
        # Only first-party clients skip the consent page; others cannot be authorized without showing it.
        return bool(request.client.skip_authorization)

    # --- Codes --------------------------------------------------------------------------------------------------
    def _create_authorization_code(self, request: Request, code: dict[str, str], expires: Any = None) -> Any:
        grant = super()._create_authorization_code(request, code, expires)
        ClientLogin.objects.create(
            code_digest=code_digest(code["code"]),
            application=request.client,
            identity=DigitalIdentity.objects.get(user=request.user),
            auth_time=request.eid_auth_time,
            method=request.eid_method,
            level=request.eid_level,
        )
        return grant

    def validate_code(
        self, client_id: str, code: str, client: Any, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        if super().validate_code(client_id, code, client, request, *args, **kwargs):
            return True
        # The grant is gone once exchanged: a code presented again was stolen or replayed (RFC 6749 §4.1.2).
        spent = (
            ClientLogin.objects.select_related("identity")
            .filter(code_digest=code_digest(code), token_family__isnull=False)
            .first()
        )
        if spent is not None and spent.revoked_at is None:
            revoke_client_login(spent, reason="code reused")
            record(None, "oidc:code:reuse", identity=spent.identity, target=spent)
        return False

    def _create_refresh_token(
        self, request: Request, refresh_token_code: str, access_token: Any, previous_refresh_token: Any
    ) -> Any:
        refresh_token = super()._create_refresh_token(request, refresh_token_code, access_token, previous_refresh_token)
        if previous_refresh_token is None and request.code:
            login = ClientLogin.objects.get(code_digest=code_digest(request.code))
            login.token_family = refresh_token.token_family
            login.save(update_fields=["token_family"])
            request.client_login = login  # the ID token's claims need it: one query fewer per exchange
            # Refreshes are not recorded: an app refreshes every few minutes, which would bury the person's
            # activity; the first issue, and any revocation, are.
            record(None, "oidc:token:issue", identity=_identity(request), target=login)
        return refresh_token

    # --- Refresh ------------------------------------------------------------------------------------------------
    def validate_refresh_token(
        self, refresh_token: str, client: Any, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        if not super().validate_refresh_token(refresh_token, client, request, *args, **kwargs):
            _record_reuse(refresh_token)
            return False
        login = (
            ClientLogin.objects.select_related("identity")
            .filter(token_family=request.refresh_token_instance.token_family)
            .first()
        )
        if login is None or login.revoked_at is not None or login.identity.status != IdentityStatus.ACTIVE:
            return False
        deadline = login.auth_time + datetime.timedelta(seconds=settings.OIDC_REFRESH_TOKEN_ABSOLUTE_SECONDS)
        if timezone.now() >= deadline:
            return False
        request.client_login = login
        request.identity = login.identity  # the claims need it: one query fewer per refresh
        return True

    # --- Claims -------------------------------------------------------------------------------------------------
    def get_claim_dict(self, request: Request) -> dict[str, Any]:
        identity = _identity(request)
        values: dict[str, Any] = {
            "sub": claims.pairwise_subject(identity.pk, request.client.client_id),
            "name": identity.full_name,
            "given_name": claims.display_name(identity.given_name),
            "family_name": claims.display_name(identity.family_name),
        }
        if not getattr(request, "building_id_token", False):
            # The list belongs to userinfo; an ID token stays small whatever the number of connections.
            values["userAssets"] = lambda r: claims.user_assets(identity, limit=settings.OIDC_USERINFO_MAX_ASSETS)
        return values

    def get_additional_claims(self, request: Request) -> dict[str, Any]:
        return {}

    def get_id_token_dictionary(self, token: Any, token_handler: Any, request: Request) -> tuple[dict[str, Any], Any]:
        request.building_id_token = True
        try:
            values, expiration = super().get_id_token_dictionary(token, token_handler, request)
        finally:
            request.building_id_token = False
        login = _client_login(request)
        values["auth_time"] = int(login.auth_time.timestamp())
        values["acr"] = claims.acr_for(login.level)
        values["amr"] = claims.amr_for(login.method)
        return values, expiration


def _identity(request: Request) -> DigitalIdentity:
    cached = getattr(request, "identity", None)
    if cached is None:
        cached = DigitalIdentity.objects.get(user=request.user)
        request.identity = cached
    return cached


def _client_login(request: Request) -> ClientLogin:
    """The eID login behind this token request: by the code being exchanged, or by the refresh token's family."""
    found = getattr(request, "client_login", None)
    if isinstance(found, ClientLogin):
        return found
    if getattr(request, "code", None):
        return ClientLogin.objects.get(code_digest=code_digest(request.code))
    return ClientLogin.objects.get(token_family=request.refresh_token_instance.token_family)


def _record_reuse(refresh_token: str) -> None:
    """A spent refresh token presented again: the library has revoked its family (REFRESH_TOKEN_REUSE_PROTECTION);
    end the client login too and put it in the person's activity. A token of a login already ended (by the person,
    or an earlier replay) is only refused."""
    digest = hashlib.sha256(refresh_token.encode()).hexdigest()
    family = (
        RefreshToken.objects.filter(token_checksum=digest, revoked__isnull=False, token_family__isnull=False)
        .values_list("token_family", flat=True)
        .first()
    )
    if family is None:
        return
    login = ClientLogin.objects.select_related("identity").filter(token_family=family, revoked_at__isnull=True).first()
    if login is not None:
        revoke_client_login(login, reason="refresh token reused")
        record(None, "oidc:refresh:reuse", identity=login.identity, target=login)


def revoke_client_login(login: ClientLogin, *, reason: str) -> None:
    """End everything issued from one client login: its refresh token family and their access tokens."""
    RefreshToken.revoke_family(login.token_family)
    ClientLogin.objects.filter(pk=login.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )
