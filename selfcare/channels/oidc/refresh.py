"""The refresh grant every app sends, answered in one statement on PostgreSQL.

Each app refreshes every few minutes, so this is the provider's hottest request. The library's path (oauthlib's
refresh grant with our validator, endpoint.py) reads the token with everything its checks decide on, checks it in
Python, then writes the rotation: BEGIN, two statements, COMMIT — four round trips, oauthlib's request object and
six model instances, about 2 ms of Python per refresh. Here the same checks are the WHERE clause of one statement
that also writes the rotation (the spent token revoked, its access token deleted, the new ID token, access token
and refresh token inserted), sent in autocommit: one round trip, committed as it returns.

Only the plain request is answered here: a urlencoded POST of exactly `grant_type=refresh_token`, `refresh_token`
and `client_id`, each once, with no query string, no `Authorization` header (a public client: RFC 6749 §2.1) and no
`Origin` (CORS answers stay the library's). When the statement finds nothing — an unknown, spent, expired or
foreign token, a confidential client, a login ended, a suspended person, anything the library would refuse or
treat otherwise — nothing is written and `answer` returns None: the library's path then answers the request from
scratch, with its errors and their side effects (a spent token presented again revokes its family). This path
never answers what the library's path would refuse, and what it writes and returns is what that path writes and
returns (selfcare/channels/tests/test_token_refresh.py compares the two, row by row and claim by claim).

The checks, each the library's or the validator's (validator.py, oauth2_validators.py, oauthlib's grant):
- the client: the application of `client_id`, not confidential (`authenticate_client_id`), whose grant type allows
  refresh tokens (`validate_grant_type`), its ID tokens signed by us (`finalize_id_token`'s own path: RS256 or ES256);
- the token: the live row of its SHA-256, of that application, with its access token, and not idle past
  REFRESH_TOKEN_EXPIRE_SECONDS after that expired (`validate_refresh_token`);
- the person: the token family's client login not ended, the identity active, the eID login younger than
  OIDC_REFRESH_TOKEN_ABSOLUTE_SECONDS;
- no RFC 8707 resource on the token (inherited resources are validated by the library's path);
- the scopes are the access token's (no `scope` parameter), written as single-space-separated printable words, so
  that oauthlib's `scope_to_list` and PostgreSQL's `string_to_array` split them alike.

Concurrency: the UPDATE re-checks `revoked IS NULL` on the row it locks, so of two requests with the same token one
rotates and the other writes nothing and goes the library's way, which sees a replay — as before.

The statement is sent with server-side parameters so that psycopg prepares it after a few executions (PostgreSQL
then skips parsing and planning it); Django's connection binds on the client side, which cannot prepare.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import time
import uuid
from collections.abc import Sequence
from typing import Any

import psycopg
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from oauth2_provider.models import (
    AbstractApplication,
    AccessToken,
    Application,
    IDToken,
    RefreshToken,
    refresh_token_expire_timedelta,
)
from oauth2_provider.oauth2_validators import GRANT_TYPE_MAPPING
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.signals import app_authorized
from oauthlib.common import urldecode
from oauthlib.openid.connect.core.grant_types.base import GrantTypeBase

from selfcare.channels.models import ClientLogin
from selfcare.channels.oidc import claims, signing, tokens, validator
from selfcare.identity.models import DigitalIdentity, IdentityStatus

log = logging.getLogger(__name__)

_FORM = "application/x-www-form-urlencoded"
_FIELDS = frozenset({"grant_type", "refresh_token", "client_id"})
# What oauthlib's token endpoint answers with (GrantTypeBase._get_default_headers).
_HEADERS = {"Content-Type": "application/json", "Cache-Control": "no-store", "Pragma": "no-cache"}
# The columns the statement writes, per table: a library upgrade that adds one turns this path off (the library's
# path then writes the new column as it should) instead of leaving it empty.
_WRITTEN = {
    AccessToken: {
        "id",
        "user_id",
        "source_refresh_token_id",
        "token",
        "token_checksum",
        "id_token_id",
        "application_id",
        "expires",
        "scope",
        "resource",
        "created",
        "updated",
    },
    RefreshToken: {
        "id",
        "user_id",
        "token",
        "token_checksum",
        "application_id",
        "access_token_id",
        "token_family",
        "resource",
        "created",
        "updated",
        "revoked",
    },
    IDToken: {"id", "user_id", "jti", "application_id", "expires", "scope", "created", "updated"},
}

_statement: dict[str, str | None] = {}


def _build() -> str | None:
    for model, columns in _WRITTEN.items():
        if {field.column for field in model._meta.concrete_fields} != columns:
            log.warning("%s has columns the one-statement refresh does not write: it is off", model.__name__)
            return None
    q = connection.ops.quote_name
    rt, at, idt = (q(model._meta.db_table) for model in (RefreshToken, AccessToken, IDToken))
    app, cl, di = (q(model._meta.db_table) for model in (Application, ClientLogin, DigitalIdentity))
    grant_types = ", ".join(f"'{kind}'" for kind in GRANT_TYPE_MAPPING["refresh_token"])
    # Parameters by name: %(now)s and the rest (psycopg's named placeholders).
    return (
        "WITH src AS ("  # noqa: S608 - names from the models, values parameters
        " SELECT rt.id, rt.user_id, rt.application_id, rt.access_token_id, rt.token_family, at.scope,"
        " di.id AS identity_id, di.given_name, di.family_name, cl.auth_time, cl.method, cl.level"
        f" FROM {rt} rt"
        f" JOIN {app} app ON app.id = rt.application_id"
        f" JOIN {at} at ON at.id = rt.access_token_id"
        f" JOIN {cl} cl ON cl.token_family = rt.token_family"
        f" JOIN {di} di ON di.id = cl.identity_id"
        " WHERE rt.token_checksum = %(checksum)s AND rt.revoked IS NULL"
        " AND app.client_id = %(client_id)s"
        f" AND app.client_type <> '{AbstractApplication.CLIENT_CONFIDENTIAL}'"
        f" AND app.authorization_grant_type IN ({grant_types})"
        f" AND app.algorithm = '{AbstractApplication.RS256_ALGORITHM}'"
        " AND (%(idle_since)s::timestamptz IS NULL OR at.expires > %(idle_since)s::timestamptz)"
        " AND cl.revoked_at IS NULL AND di.status = %(active)s AND cl.auth_time > %(login_since)s"
        " AND rt.resource = '[]'::jsonb"
        " AND at.scope ~ '^[!-~]+( [!-~]+)*$'"
        "), "
        f"spent AS (UPDATE {rt} SET revoked = %(now)s, access_token_id = NULL"
        f" WHERE id = (SELECT id FROM src) AND revoked IS NULL RETURNING id), "
        f"gone AS (DELETE FROM {at} WHERE id = (SELECT access_token_id FROM src) AND EXISTS (SELECT 1 FROM spent)), "
        f"nid AS (INSERT INTO {idt} (user_id, jti, application_id, expires, scope, created, updated)"
        " SELECT src.user_id, %(jti)s, src.application_id, %(id_expires)s, src.scope, %(now)s, %(now)s"
        " FROM src, spent WHERE 'openid' = ANY(string_to_array(src.scope, ' ')) RETURNING id), "
        f"nat AS (INSERT INTO {at} (user_id, source_refresh_token_id, token, token_checksum, id_token_id,"
        " application_id, expires, scope, resource, created, updated)"
        " SELECT src.user_id, src.id, %(at_token)s, %(at_checksum)s, (SELECT id FROM nid), src.application_id,"
        " %(at_expires)s, src.scope, '[]'::jsonb, %(now)s, %(now)s FROM src, spent RETURNING id), "
        f"nrt AS (INSERT INTO {rt} (user_id, token, token_checksum, application_id, access_token_id, token_family,"
        " resource, created, updated, revoked)"
        " SELECT src.user_id, %(rt_token)s, %(rt_checksum)s, src.application_id, nat.id, src.token_family,"
        " '[]'::jsonb, %(now)s, %(now)s, NULL FROM src, nat RETURNING id) "
        "SELECT src.scope, src.identity_id, src.given_name, src.family_name, src.auth_time, src.method, src.level,"
        " (SELECT id FROM nid) FROM src, nrt"
    )


def _statement_text() -> str | None:
    if connection.vendor not in _statement:
        _statement[connection.vendor] = _build() if connection.vendor == "postgresql" else None
    return _statement[connection.vendor]


def _form(request: HttpRequest) -> dict[str, str] | None:
    """The three fields of a plain refresh request, parsed as oauthlib parses a body; None for anything else."""
    if request.method != "POST" or request.content_type != _FORM or request.META.get("QUERY_STRING"):
        return None
    if "HTTP_AUTHORIZATION" in request.META or "HTTP_ORIGIN" in request.META:
        return None
    try:
        pairs = urldecode(request.body.decode())
    except (UnicodeDecodeError, ValueError):
        return None
    form = dict(pairs)
    if len(pairs) != len(_FIELDS) or form.keys() != _FIELDS or form["grant_type"] != "refresh_token":
        return None
    if not form["refresh_token"] or not form["client_id"]:
        return None
    return form


def _issuer(request: HttpRequest) -> str | None:
    """The issuer the validator would put in the ID token, if it has worked it out for this host and scheme
    already (validator._issuers, keyed by the headers DOT's core hands oauthlib); None otherwise, and the library's
    path answers this one request and fills it in."""
    if oauth2_settings.OIDC_ISS_ENDPOINT:
        return str(oauth2_settings.OIDC_ISS_ENDPOINT)
    meta = request.META
    key = tuple(
        ("1" if request.is_secure() else None) if name == "X_DJANGO_OAUTH_TOOLKIT_SECURE" else meta.get(name)
        for name in validator.ISSUER_HEADERS
    )
    return validator.cached_issuer(key)


def _usable_settings() -> bool:
    """The library's settings this path assumes (its defaults, and the project's): anything else goes its way."""
    return (
        bool(oauth2_settings.ROTATE_REFRESH_TOKEN)
        and isinstance(oauth2_settings.ACCESS_TOKEN_EXPIRE_SECONDS, int)
        and not oauth2_settings.EXTRA_SERVER_KWARGS
        and oauth2_settings.OAUTH2_VALIDATOR_CLASS is validator.Validator
        and not app_authorized.receivers  # the library's view sends it with the new token's row
    )


def answer(request: HttpRequest) -> HttpResponse | None:
    """The token response to a plain refresh request that passes every check, written in one statement; None when
    the library's path should answer (see the module's description)."""
    form = _form(request)
    if form is None or not _usable_settings():
        return None
    sql = _statement_text()
    issuer = _issuer(request) if sql is not None else None
    if sql is None or issuer is None:
        return None
    now = timezone.now()
    idle = refresh_token_expire_timedelta()
    access_token, refresh_token, jti = tokens.new_token(request), tokens.new_token(request), uuid.uuid4()
    at_expires = now + datetime.timedelta(seconds=oauth2_settings.ACCESS_TOKEN_EXPIRE_SECONDS)
    id_expires = now + datetime.timedelta(seconds=oauth2_settings.ID_TOKEN_EXPIRE_SECONDS)
    redact = bool(oauth2_settings.COMPLIANT_BCP_RFC9700_TOKEN_STORAGE)  # tokens kept only as their SHA-256
    params = {
        "checksum": _sha256(form["refresh_token"]),
        "client_id": form["client_id"],
        "idle_since": now - idle if idle else None,
        "active": IdentityStatus.ACTIVE.value,
        "login_since": now - datetime.timedelta(seconds=settings.OIDC_REFRESH_TOKEN_ABSOLUTE_SECONDS),
        "now": now,
        "jti": jti,
        "id_expires": id_expires,
        "at_token": "" if redact else access_token,
        "at_checksum": _sha256(access_token),
        "at_expires": at_expires,
        "rt_token": "" if redact else refresh_token,
        "rt_checksum": _sha256(refresh_token),
    }
    row = _execute(sql, params)
    if row is None:
        return None
    scope, identity_id, given_name, family_name, auth_time, method, level, id_token_id = row
    scopes = scope.split(" ")  # oauthlib's scope_to_list of a scope the statement checked is written plainly
    token: dict[str, Any] = {
        "access_token": access_token,
        "expires_in": oauth2_settings.ACCESS_TOKEN_EXPIRE_SECONDS,
        "token_type": "Bearer",
        "scope": scope,
        "refresh_token": refresh_token,
    }
    if id_token_id is not None:
        identity = DigitalIdentity(id=identity_id, given_name=given_name, family_name=family_name)
        # oauthlib's first claims (GrantTypeBase.add_id_token), then the validator's, in their order.
        id_token: dict[str, Any] = {
            "aud": form["client_id"],
            "iat": int(time.time()),
            # oauthlib's own hash (left half of the SHA-256, base64url); the method does not use its instance.
            "at_hash": GrantTypeBase.id_token_hash(None, access_token),
            **validator.person_claims(identity, form["client_id"], scopes),
            "iss": issuer,
            "exp": int(id_expires.timestamp()),
            "auth_time": int(auth_time.timestamp()),
            "jti": str(jti),
            "acr": claims.acr_for(level),
            "amr": claims.amr_for(method),
        }
        token["id_token"] = signing.sign(id_token, algorithm=signing.algorithm_for(form["client_id"]))
    response = HttpResponse(content=json.dumps(token), status=200)
    for name, value in _HEADERS.items():
        response[name] = value
    return response


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _execute(sql: str, params: dict[str, Any]) -> Sequence[Any] | None:
    """One statement through Django's connection (its wrappers, error translation and query log see it) on a
    psycopg cursor that binds on the server, so that psycopg prepares it once it has been sent a few times. In
    autocommit it is its own transaction; inside a caller's transaction it joins it."""
    connection.ensure_connection()
    raw = psycopg.Cursor(connection.connection)
    # Django wraps its own cursors this way (BaseDatabaseWrapper.cursor); the method is not in its type stubs.
    with connection._prepare_cursor(raw) as cursor:  # type: ignore[attr-defined]
        cursor.execute(sql, params)
        return cursor.fetchone()  # type: ignore[no-any-return]
