"""django-oauth-toolkit's request validator with the project's rules (SECURITY.md "OpenID Connect provider").

What changes against the library's defaults, each tested in selfcare/channels/tests/test_oidc_conformance.py:
- response type `code` and the grants authorization_code and refresh_token only (no implicit, hybrid, password,
  client credentials or device flows, whatever an application row says);
- redirect URIs compared as exact strings (loopback port aside, RFC 8252), see `redirects.py`;
- a replayed authorization code revokes every token issued from it;
- refresh tokens end absolutely `OIDC_REFRESH_TOKEN_ABSOLUTE_SECONDS` after the eID login, and with the identity's
  suspension; a replayed spent one revokes its family (the library's REFRESH_TOKEN_REUSE_PROTECTION, switched on);
- the subject is pairwise per client, never the user's primary key;
- `auth_time`, `acr` and `amr` come from the eID login the code was issued from, not from `User.last_login`;
- ID tokens are signed ES256 for the clients registered for it (OIDC_ES256_CLIENTS), RS256 for the others.

The token endpoint is the app's hottest write (every app refreshes every few minutes), so the checks above run on
rows loaded once (`lookups.py`): one statement for a refresh token with its access token, user, client login and
identity, one for a code's grant; and a rotation is a conditional UPDATE of the spent token, the DELETE of its
access token and the INSERTs of the new ID token, access and refresh token, in the token view's one transaction (no
savepoints) — on PostgreSQL as one statement of data-modifying CTEs (rotation.py). The protocol
checks are the library's and oauthlib's; where a method is replaced here, it says which checks it keeps.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from oauth2_provider.models import (
    AbstractApplication,
    AccessToken,
    Grant,
    IDToken,
    RefreshToken,
    refresh_token_expire_timedelta,
)
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauth2_provider.settings import oauth2_settings
from oauthlib.common import Request
from oauthlib.oauth2.rfc6749 import errors
from oauthlib.oauth2.rfc6749.utils import scope_to_list

from selfcare.audit.services import record
from selfcare.channels.models import ClientLogin
from selfcare.channels.oidc import claims, lookups, rotation, signing
from selfcare.channels.oidc.redirects import redirect_uri_matches
from selfcare.identity.models import DigitalIdentity, IdentityStatus

ALLOWED_GRANT_TYPES = frozenset({"authorization_code", "refresh_token"})
_issuers: dict[tuple[object, ...], str] = {}
# What the library's issuer is built from (its stand-in request's scheme and host).
ISSUER_HEADERS = ("X_DJANGO_OAUTH_TOOLKIT_SECURE", "HTTP_X_FORWARDED_HOST", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT")
# The claims about the person, each with the scope that releases it (the library's `oidc_claim_scope`).
CLAIM_SCOPES = {
    "sub": "openid",
    "name": "profile",
    "given_name": "profile",
    "family_name": "profile",
    "userAssets": "connections",
}


def code_digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


class RotationLost(Exception):
    """Two requests presented the same refresh token at once and the other one rotated it first: this one is a
    replay. Raised out of the token request's transaction (nothing of this request is kept); the view then
    revokes the family, as for any replayed refresh token."""

    def __init__(self, family: Any) -> None:
        super().__init__("refresh token rotated by a concurrent request")
        self.family = family


def issuer_for(key: tuple[object, ...], work_out: Callable[[], str]) -> str:
    """The issuer for these issuer headers' values (ISSUER_HEADERS), worked out once per host and scheme."""
    issuer = _issuers.get(key)
    if issuer is None:
        issuer = work_out()
        if len(_issuers) >= 64:  # hosts come from requests: a few are real, the rest are not kept for long
            _issuers.clear()
        _issuers[key] = issuer
    return issuer


def person_claims(identity: DigitalIdentity, client_id: str, scopes: list[str]) -> dict[str, Any]:
    """The ID token's claims about the person that `scopes` release: the pairwise subject and the names (the
    connections list belongs to userinfo). What the library's get_oidc_claims makes of get_claim_dict below."""
    return {name: value for name, value in _person_values(identity, client_id).items() if CLAIM_SCOPES[name] in scopes}


def _person_values(identity: DigitalIdentity, client_id: str) -> dict[str, Any]:
    return {
        "sub": claims.pairwise_subject(identity.pk, client_id),
        "name": identity.full_name,
        "given_name": claims.display_name(identity.given_name),
        "family_name": claims.display_name(identity.family_name),
    }


class Validator(OAuth2Validator):  # type: ignore[misc]
    oidc_claim_scope = CLAIM_SCOPES

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

    def get_authorization_code_scopes(
        self, client_id: str, code: str, redirect_uri: str, request: Request
    ) -> list[str]:
        grant = lookups.code_grant(code, request)
        return scope_to_list(grant.scope) if grant is not None and grant.scope else []

    def validate_code(
        self, client_id: str, code: str, client: Any, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        # The library's checks on the grant loaded once: this client's, not expired; its scopes, user, nonce and
        # claims go on the request.
        grant = lookups.code_grant(code, request)
        if grant is not None and grant.application_id == client.pk and not grant.is_expired():
            request.scopes = grant.scope.split(" ")
            request.user = grant.user
            if grant.nonce:
                request.nonce = grant.nonce
            if grant.claims:
                request.claims = json.loads(grant.claims)
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

    def _validated_grant(self, code: str, request: Request) -> Grant:
        """The grant validate_code accepted (oauthlib asks the rest only after it): the library's `get(code=…,
        application=client)`, which raises when there is none."""
        grant = lookups.code_grant(code, request)
        if grant is None or grant.application_id != request.client.pk:
            raise Grant.DoesNotExist
        return grant

    def get_code_challenge(self, code: str, request: Request) -> str | None:
        return self._validated_grant(code, request).code_challenge or None

    def get_code_challenge_method(self, code: str, request: Request) -> str | None:
        return self._validated_grant(code, request).code_challenge_method or None

    def confirm_redirect_uri(
        self, client_id: str, code: str, redirect_uri: str, client: Any, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        return bool(self._validated_grant(code, request).redirect_uri_allowed(redirect_uri))

    def get_authorization_code_nonce(
        self, client_id: str, code: str, redirect_uri: str, request: Request
    ) -> str | None:
        grant = lookups.code_grant(code, request)
        return (grant.nonce or None) if grant is not None else None

    def _check_and_set_request_resource(self, request: Request) -> None:
        """RFC 8707 for the code grant as the library does it (a token request may narrow the grant's resources,
        never widen them), on the grant validated above rather than a fresh read of it."""
        if request.grant_type != "authorization_code":
            super()._check_and_set_request_resource(request)
            return
        grant_resource = list(self._validated_grant(request.code, request).resource or [])
        asked = getattr(request, "resource", None)
        if isinstance(asked, str):
            body = [v for k, v in (getattr(request, "decoded_body", None) or []) if k == "resource"]
            asked = body if len(body) > 1 else ([asked] if asked.strip() else [])
        request.resource = list(asked) if isinstance(asked, list) else []
        self._validate_resource_uris(request, request.resource)
        if request.resource and grant_resource:
            for resource in request.resource:
                if resource not in grant_resource:
                    raise errors.CustomOAuth2Error(
                        error="invalid_target",
                        description=f"The requested resource '{resource}' is not allowed.",
                        request=request,
                    )
        elif grant_resource:
            self._validate_resource_uris(request, grant_resource)
            request.resource = grant_resource

    def _create_refresh_token(
        self, request: Request, refresh_token_code: str, access_token: Any, previous_refresh_token: Any
    ) -> Any:
        refresh_token = super()._create_refresh_token(request, refresh_token_code, access_token, previous_refresh_token)
        if previous_refresh_token is None and request.code:
            login = _client_login(request)
            ClientLogin.objects.filter(pk=login.pk).update(token_family=refresh_token.token_family)
            login.token_family = refresh_token.token_family
            # Refreshes are not recorded: an app refreshes every few minutes, which would bury the person's
            # activity; the first issue, and any revocation, are.
            record(None, "oidc:token:issue", identity=_identity(request), target=login)
        return refresh_token

    # --- Refresh ------------------------------------------------------------------------------------------------
    def client_authentication_required(self, request: Request, *args: Any, **kwargs: Any) -> bool:
        """The library's decision, but for a refresh or a code presented with its client_id the application comes
        with the refresh token's or the grant's one read (lookups.py) instead of a read of its own: the library reuses a
        `request.client` whose client_id is the one presented, and loads it by client_id otherwise. Whether the
        token belongs to that client is still validate_refresh_token's check."""
        if request.grant_type == "refresh_token" and request.refresh_token and request.client is None:
            found = lookups.refresh_token(request.refresh_token, request)
            if found is not None and request.client_id and found.token.application.client_id == request.client_id:
                request.client = found.token.application
        elif request.grant_type == "authorization_code" and request.code and request.client is None:
            # The same for a code: its application comes with the grant's one read; validate_code still checks
            # that the code belongs to the client authenticated.
            grant = lookups.code_grant(request.code, request)
            if grant is not None and request.client_id and grant.application.client_id == request.client_id:
                request.client = grant.application
        return bool(super().client_authentication_required(request, *args, **kwargs))

    def validate_refresh_token(
        self, refresh_token: str, client: Any, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        """The library's checks, on one row (lookups.refresh_token): the token exists; a revoked one is a replay
        (no grace period here) and revokes its family; a live one needs its access token and is dead
        REFRESH_TOKEN_EXPIRE_SECONDS after that expired (idle); it belongs to this client. Then ours: its client
        login is live, the identity active, and the eID login younger than OIDC_REFRESH_TOKEN_ABSOLUTE_SECONDS."""
        found = lookups.refresh_token(refresh_token, request)
        if found is None:
            return False
        token, login = found.token, found.login
        now = timezone.now()
        if token.revoked is not None:
            grace = datetime.timedelta(seconds=oauth2_settings.REFRESH_TOKEN_GRACE_PERIOD_SECONDS)
            if token.revoked <= now - grace or not AccessToken.objects.filter(source_refresh_token=token).exists():
                _revoke_reused(token.token_family, login)
                return False
        else:
            if token.access_token is None:
                return False
            idle = refresh_token_expire_timedelta()
            if idle and token.access_token.expires + idle <= now:
                return False
        if token.application_id != client.pk:
            return False
        if login is None or login.revoked_at is not None or login.identity.status != IdentityStatus.ACTIVE:
            return False
        deadline = login.auth_time + datetime.timedelta(seconds=settings.OIDC_REFRESH_TOKEN_ABSOLUTE_SECONDS)
        if now >= deadline:
            return False
        request.user = token.user
        # The raw token presented (the stored column is blank: tokens are kept only as SHA-256).
        request.refresh_token = refresh_token
        request.refresh_token_instance = token
        request.client_login = login
        request.identity = login.identity  # the claims need it
        return True

    def save_bearer_token(self, token: dict[str, Any], request: Request, *args: Any, **kwargs: Any) -> Any:
        # Inside the token view's transaction: the library's extra savepoint would be one more round trip for
        # nothing (an error response rolls the whole request back anyway).
        with transaction.atomic(savepoint=False):
            return self._save_bearer_token(token, request, *args, **kwargs)

    def _save_bearer_token(self, token: dict[str, Any], request: Request, *args: Any, **kwargs: Any) -> Any:
        """A refresh with rotation in one statement on PostgreSQL (rotation.py), four elsewhere; everything else as
        the library does it. The library locks
        the spent token, reads it and its access token again and saves every field; here the spent token is
        revoked by a conditional UPDATE, which also settles a race: of two requests with the same token, the
        second finds it revoked and is a replay (RotationLost)."""
        if _issues_in_one_statement(token, request):
            self._issue_in_one_statement(token, request)
            return None
        previous = getattr(request, "refresh_token_instance", None)
        if (
            request.grant_type != "refresh_token"
            or not isinstance(previous, RefreshToken)
            or not token.get("refresh_token")
            or not self.rotate_refresh_token(request)
        ):
            return super()._save_bearer_token(token, request, *args, **kwargs)
        if "scope" not in token:
            raise errors.FatalClientError("Failed to renew access token: missing scope")
        self._check_and_set_request_resource(request)
        now = timezone.now()
        expires = now + datetime.timedelta(seconds=token.get("expires_in", oauth2_settings.ACCESS_TOKEN_EXPIRE_SECONDS))
        if rotation.supported():
            # finalize_id_token, if there is an ID token, left it for this one statement to insert with the rest.
            pending = getattr(request, "selfcare_id_token", None)
            id_token = pending if isinstance(pending, IDToken) and pending.pk is None else None
            self._rotate_in_one_statement(request, token, previous, id_token, now, expires)
            return None
        rotated = RefreshToken.objects.filter(pk=previous.pk, revoked__isnull=True).update(
            revoked=now, access_token=None
        )
        if not rotated:
            raise RotationLost(previous.token_family)
        if previous.access_token_id is not None:
            # Revoking an access token deletes it (the library's AccessToken.revoke); the one row that pointed at
            # it is the spent refresh token, unlinked above, so no cascade needs collecting.
            with connection.cursor() as cursor:
                cursor.execute(
                    f"DELETE FROM {connection.ops.quote_name(AccessToken._meta.db_table)} WHERE id = %s",  # noqa: S608
                    [previous.access_token_id],
                )
        access_token = self._create_access_token(expires, request, token, source_refresh_token=previous)
        self._create_refresh_token(request, token["refresh_token"], access_token, previous)
        return None

    def _rotate_in_one_statement(
        self,
        request: Request,
        token: dict[str, Any],
        previous: RefreshToken,
        id_token: IDToken | None,
        now: datetime.datetime,
        expires: datetime.datetime,
    ) -> None:
        """The rows the ORM path below writes (the library's AccessToken and RefreshToken of a refresh, our stored
        ID token), written by rotation.rotate in one round trip."""
        access_token = AccessToken(
            user=request.user,
            scope=token["scope"],
            expires=expires,
            application=request.client,
            source_refresh_token=previous,
            resource=getattr(request, "resource", []),  # RFC 8707
        )
        self._set_token_value(access_token, token["access_token"])
        refresh = RefreshToken(
            user=request.user,
            application=request.client,
            token_family=previous.token_family,
            resource=getattr(request, "resource", []),
        )
        self._set_token_value(refresh, token["refresh_token"])
        if not rotation.rotate(previous, now, id_token, access_token, refresh):
            raise RotationLost(previous.token_family)
        request.access_token = access_token

    def _issue_in_one_statement(self, request_token: dict[str, Any], request: Request) -> None:
        """A code exchange's writes, as the library's path and _create_refresh_token below make them (the ID token
        finalize_id_token left unsaved, the access and refresh token, the client login's token family, the grant
        deleted), in one statement (rotation.issue); then the audit event of the first issue."""
        token = request_token
        if "scope" not in token:
            raise errors.FatalClientError("Failed to renew access token: missing scope")
        self._check_and_set_request_resource(request)
        expires = timezone.now() + datetime.timedelta(
            seconds=token.get("expires_in", oauth2_settings.ACCESS_TOKEN_EXPIRE_SECONDS)
        )
        pending = getattr(request, "selfcare_id_token", None)
        id_token = pending if isinstance(pending, IDToken) and pending.pk is None else None
        access_token = AccessToken(
            user=request.user,
            scope=token["scope"],
            expires=expires,
            application=request.client,
            resource=getattr(request, "resource", []),  # RFC 8707
        )
        self._set_token_value(access_token, token["access_token"])
        refresh = RefreshToken(
            user=request.user,
            application=request.client,
            token_family=uuid.uuid4(),
            resource=getattr(request, "resource", []),
        )
        self._set_token_value(refresh, token["refresh_token"])
        login = _client_login(request)
        grant = self._validated_grant(request.code, request)
        if not rotation.issue(grant, login, id_token, access_token, refresh):
            raise errors.InvalidGrantError(request=request)
        request.selfcare_code_spent = True
        login.token_family = refresh.token_family
        record(None, "oidc:token:issue", identity=_identity(request), target=login)

    def invalidate_authorization_code(
        self, client_id: str, code: str, request: Request, *args: Any, **kwargs: Any
    ) -> None:
        # Already deleted with the tokens' insert (_issue_in_one_statement), which refused the exchange if it was gone.
        if not getattr(request, "selfcare_code_spent", False):
            super().invalidate_authorization_code(client_id, code, request, *args, **kwargs)

    def _create_access_token(
        self, expires: Any, request: Request, token: dict[str, Any], source_refresh_token: Any = None
    ) -> AccessToken:
        # The library parses and verifies the ID token it has just signed to find its row again; finalize_id_token
        # below keeps the row on the request.
        stored = getattr(request, "selfcare_id_token", None)
        if not token.get("id_token") or stored is None:
            return super()._create_access_token(expires, request, token, source_refresh_token)
        access_token = AccessToken(
            user=request.user,
            scope=token["scope"],
            expires=expires,
            id_token=stored,
            application=request.client,
            source_refresh_token=source_refresh_token,
            resource=getattr(request, "resource", []),  # RFC 8707
        )
        self._set_token_value(access_token, token["access_token"])
        access_token.save(force_insert=True)
        return access_token

    # --- ID tokens ----------------------------------------------------------------------------------------------
    def finalize_id_token(self, id_token: dict[str, Any], token: Any, token_handler: Any, request: Request) -> str:
        """The library's claims and stored IDToken row, signed with a key parsed once (signing.py): ES256 for the
        clients registered for it, RS256 for the rest. HS256 clients keep the library's path."""
        if request.client.algorithm != AbstractApplication.RS256_ALGORITHM:
            return super().finalize_id_token(id_token, token, token_handler, request)  # type: ignore[no-any-return]
        values, expiration = self.get_id_token_dictionary(token, token_handler, request)
        id_token.update(**values)
        if "nonce" not in id_token and request.nonce:
            id_token["nonce"] = request.nonce  # oauthlib bug #746, as the library works around it
        signed = signing.sign(id_token, algorithm=signing.algorithm_for(request.client.client_id))
        if _rotates_in_one_statement(token, request, self) or _issues_in_one_statement(token, request):
            # Inserted with the rotation, in its one statement (_save_bearer_token).
            stored = IDToken(
                user=request.user,
                scope=request.scope or " ".join(request.scopes),
                expires=expiration,
                jti=id_token["jti"],
                application=request.client,
            )
        else:
            stored = self._save_id_token(id_token["jti"], request, expiration)
        request.access_token = stored
        request.id_token = stored
        request.selfcare_id_token = stored
        return signed

    def _get_key_for_token(self, token: str) -> Any:
        """The key an ID token of ours verifies with (RP-initiated logout's id_token_hint): the one its client is
        registered for, and only that one."""
        key = super()._get_key_for_token(token)
        if key is None:
            return None
        header = json.loads(signing.b64decode(token.split(".", 1)[0]))
        audience = json.loads(signing.b64decode(token.split(".")[1])).get("aud")
        client_id = audience[0] if isinstance(audience, list) and audience else audience
        if isinstance(client_id, str) and signing.algorithm_for(client_id) == signing.ES256:
            return signing.signing_key(signing.ES256).jwk if header.get("alg") == signing.ES256 else None
        return key

    def get_oidc_issuer_endpoint(self, request: Request) -> str:
        """The library's issuer, worked out once per host and scheme: without OIDC_ISS_ENDPOINT the library builds
        a stand-in Django request and reverses the discovery URL for every ID token. The host is still checked
        against ALLOWED_HOSTS (by the library, on the first request from it; a refused host is never kept)."""
        if oauth2_settings.OIDC_ISS_ENDPOINT:
            return str(oauth2_settings.OIDC_ISS_ENDPOINT)
        key = tuple(request.headers.get(name) for name in ISSUER_HEADERS)
        return issuer_for(key, lambda: str(super(Validator, self).get_oidc_issuer_endpoint(request)))

    # --- Claims -------------------------------------------------------------------------------------------------
    def get_claim_dict(self, request: Request) -> dict[str, Any]:
        identity = _identity(request)
        values = _person_values(identity, request.client.client_id)
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


def _rotates_in_one_statement(token: dict[str, Any], request: Request, validator: Validator) -> bool:
    """A refresh that rotates its token, on a database where rotation.py writes it in one statement: the
    conditions of _save_bearer_token's own rotation path, known already when the ID token is finalized."""
    return (
        rotation.supported()
        and request.grant_type == "refresh_token"
        and isinstance(getattr(request, "refresh_token_instance", None), RefreshToken)
        and bool(token.get("refresh_token"))
        and bool(validator.rotate_refresh_token(request))
    )


def _issues_in_one_statement(token: dict[str, Any], request: Request) -> bool:
    """A code exchange with a refresh token, on a database where rotation.py writes it in one statement, of a code
    whose grant and client login were read together (lookups.code_lookup)."""
    if not (rotation.supported() and request.grant_type == "authorization_code" and token.get("refresh_token")):
        return False
    looked_up = getattr(request, "_selfcare_grant", None)
    return bool(looked_up is not None and looked_up[0] == request.code and looked_up[1] and looked_up[1].login)


def _identity(request: Request) -> DigitalIdentity:
    cached = getattr(request, "identity", None)
    if cached is None:
        login = getattr(request, "client_login", None)
        if isinstance(login, ClientLogin):
            cached = login.identity
        elif getattr(request, "code", None):
            cached = _client_login(request).identity
        else:
            cached = DigitalIdentity.objects.get(user=request.user)
        request.identity = cached
    return cached


def _client_login(request: Request) -> ClientLogin:
    """The eID login behind this token request: by the code being exchanged (with its identity, once), or by the
    refresh token's family."""
    found = getattr(request, "client_login", None)
    if isinstance(found, ClientLogin):
        return found
    if getattr(request, "code", None):
        # Read with the code's grant (lookups.code_lookup); a read of its own only if nothing read the grant.
        looked_up = getattr(request, "_selfcare_grant", None)
        if looked_up is not None and looked_up[0] == request.code and looked_up[1] and looked_up[1].login:
            found = looked_up[1].login
        else:
            found = ClientLogin.objects.select_related("identity").get(code_digest=code_digest(request.code))
    else:
        found = ClientLogin.objects.get(token_family=request.refresh_token_instance.token_family)
    request.client_login = found
    return found


def _revoke_reused(family: Any, login: ClientLogin | None) -> None:
    """A spent refresh token presented again: revoke its family (the library's REFRESH_TOKEN_REUSE_PROTECTION), end
    the client login too and put it in the person's activity. A token of a login already ended (by the person, or
    an earlier replay) is only refused."""
    if family is None:
        return
    if oauth2_settings.REFRESH_TOKEN_REUSE_PROTECTION:
        RefreshToken.revoke_family(family)
    if login is not None and login.revoked_at is None:
        revoke_client_login(login, reason="refresh token reused")
        record(None, "oidc:refresh:reuse", identity=login.identity, target=login)


def refresh_token_replayed(family: Any) -> None:
    """A refresh token lost a rotation race (RotationLost): the same as any replay, in a transaction of its own."""
    with transaction.atomic():
        login = ClientLogin.objects.select_related("identity").filter(token_family=family).first()
        _revoke_reused(family, login)


def revoke_client_login(login: ClientLogin, *, reason: str) -> None:
    """End everything issued from one client login: its refresh token family and their access tokens."""
    RefreshToken.revoke_family(login.token_family)
    ClientLogin.objects.filter(pk=login.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason
    )
