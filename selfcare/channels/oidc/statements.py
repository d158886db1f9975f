"""What the token endpoint's one-statement answers share (refresh.py for an app's plain refresh, exchange.py for
its code exchange): reading the plain request, the library's settings they assume, the columns they write, sending
the statement, the ID token and the response.

Why one statement: every token request of the library's path is BEGIN, a read, the writes, COMMIT — four or five
round trips, oauthlib's request object and half a dozen model instances, about 2 ms of Python. Here the checks are
the WHERE clause of the statement that writes the result, sent in autocommit (its own transaction), with
server-side parameters so that psycopg prepares it after a few executions and PostgreSQL skips parsing and planning
it (Django's connection binds on the client side, which cannot prepare). A request either module does not take,
or that its statement finds nothing for, goes the library's way from scratch: these paths only ever answer what
that path would have accepted, with what it would have written and returned (test_token_refresh.py and
test_token_exchange.py compare the two).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from django.db import connection
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from oauth2_provider.models import AbstractApplication, AccessToken, IDToken, RefreshToken
from oauth2_provider.oauth2_validators import GRANT_TYPE_MAPPING
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.signals import app_authorized
from oauthlib.common import urldecode
from oauthlib.openid.connect.core.grant_types.base import GrantTypeBase

from selfcare.channels.oidc import claims, signing, tokens, validator
from selfcare.identity.models import DigitalIdentity

log = logging.getLogger(__name__)

_FORM = "application/x-www-form-urlencoded"
# What oauthlib's token endpoint answers with (GrantTypeBase._get_default_headers).
_HEADERS = {"Content-Type": "application/json", "Cache-Control": "no-store", "Pragma": "no-cache"}
# A scope written as single-space-separated printable words: oauthlib's `scope_to_list` (strip, split on " "),
# a plain split on " " and PostgreSQL's `string_to_array(scope, ' ')` all read it alike.
PLAIN_SCOPE = "'^[!-~]+( [!-~]+)*$'"


def plain_form(request: HttpRequest) -> dict[str, str] | None:
    """The fields of a plain token request — a urlencoded POST, each field once and none empty, parsed as oauthlib
    parses a body, with no query string, no `Authorization` header (a public client: RFC 6749 §2.1) and no
    `Origin` (CORS answers stay the library's); None for anything else. Parsed once per request: which grant
    answers it is then the `grant_type`'s (views.TokenView)."""
    if request.method != "POST" or request.content_type != _FORM or request.META.get("QUERY_STRING"):
        return None
    if "HTTP_AUTHORIZATION" in request.META or "HTTP_ORIGIN" in request.META:
        return None
    try:
        pairs = urldecode(request.body.decode())
    except (UnicodeDecodeError, ValueError):
        return None
    form = dict(pairs)
    if len(pairs) != len(form) or not all(form.values()):
        return None
    return form


_built: dict[tuple[str, Callable[[], str | None]], str | None] = {}


def statement_for(form: dict[str, str], fields: frozenset[str], build: Callable[[], str | None]) -> str | None:
    """The statement `build` makes (once per process and database) for a form of exactly `fields`, when this path
    can answer it: on PostgreSQL, with the library's settings it assumes; None otherwise."""
    if form.keys() != fields or connection.vendor != "postgresql" or not usable_settings():
        return None
    key = (connection.vendor, build)
    if key not in _built:
        _built[key] = build()
    return _built[key]


def usable_settings() -> bool:
    """The library's settings these paths assume (its defaults and the project's); anything else goes its way."""
    return (
        bool(oauth2_settings.ROTATE_REFRESH_TOKEN)
        and isinstance(oauth2_settings.ACCESS_TOKEN_EXPIRE_SECONDS, int)
        and not oauth2_settings.EXTRA_SERVER_KWARGS
        and oauth2_settings.OAUTH2_VALIDATOR_CLASS is validator.Validator
        and not app_authorized.receivers  # the library's view sends it with the new token's row
    )


def issuer(request: HttpRequest) -> str:
    """The issuer the validator puts in ID tokens, from the same cache (keyed by the headers DOT's core hands
    oauthlib, the scheme among them); worked out from this request as the library does on the first one from a
    host (the Host has been checked against ALLOWED_HOSTS before the token endpoint is reached, routing.py)."""
    if oauth2_settings.OIDC_ISS_ENDPOINT:
        return str(oauth2_settings.OIDC_ISS_ENDPOINT)
    meta = request.META
    key = tuple(
        ("1" if request.is_secure() else None) if name == "X_DJANGO_OAUTH_TOOLKIT_SECURE" else meta.get(name)
        for name in validator.ISSUER_HEADERS
    )
    return validator.issuer_for(key, lambda: str(oauth2_settings.oidc_issuer(request)))


def writes_every_column(model: type[Model], columns: set[str]) -> bool:
    """Whether a statement writing `columns` of `model` writes all of them: a library upgrade that adds a column
    turns these paths off (the library's path then fills it as it should) instead of leaving it empty."""
    if {field.column for field in model._meta.concrete_fields} == columns:
        return True
    log.warning("%s has columns the one-statement token answers do not write: they are off", model.__name__)
    return False


ACCESS_TOKEN_COLUMNS = {
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
}
REFRESH_TOKEN_COLUMNS = {
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
}
ID_TOKEN_COLUMNS = {"id", "user_id", "jti", "application_id", "expires", "scope", "created", "updated"}


def public_client_sql(grant_type: str) -> str:
    """The conditions on the application `app` for `grant_type`: the one of `%(client_id)s`, not confidential
    (the library's `authenticate_client_id`), whose grant type allows `grant_type` (`validate_grant_type`), its
    ID tokens signed by us (`finalize_id_token`'s own path)."""
    grant_types = ", ".join(f"'{kind}'" for kind in GRANT_TYPE_MAPPING[grant_type])
    return (
        "app.client_id = %(client_id)s"
        f" AND app.client_type <> '{AbstractApplication.CLIENT_CONFIDENTIAL}'"
        f" AND app.authorization_grant_type IN ({grant_types})"
        f" AND app.algorithm = '{AbstractApplication.RS256_ALGORITHM}'"
    )


def new_tokens_sql(*, after: str, source: str, family: str) -> str | None:
    """The CTEs `nid`, `nat` and `nrt` that insert the new ID token (only with the scope `openid`), access token and
    refresh token for the row `src` (user_id, application_id, scope), once the CTE `after` has a row; `source` is
    the SQL of the access token's source refresh token, `family` of the refresh token's family; the values are the
    Issue's parameters. None when a token table has columns they do not write (writes_every_column)."""
    if not (
        writes_every_column(AccessToken, ACCESS_TOKEN_COLUMNS)
        and writes_every_column(RefreshToken, REFRESH_TOKEN_COLUMNS)
        and writes_every_column(IDToken, ID_TOKEN_COLUMNS)
    ):
        return None
    q = connection.ops.quote_name
    rt, at, idt = (q(model._meta.db_table) for model in (RefreshToken, AccessToken, IDToken))
    return (
        f"nid AS (INSERT INTO {idt} (user_id, jti, application_id, expires, scope, created, updated)"  # noqa: S608
        " SELECT src.user_id, %(jti)s, src.application_id, %(id_expires)s, src.scope, %(now)s, %(now)s"
        f" FROM src, {after} WHERE 'openid' = ANY(string_to_array(src.scope, ' ')) RETURNING id), "
        f"nat AS (INSERT INTO {at} (user_id, source_refresh_token_id, token, token_checksum, id_token_id,"
        " application_id, expires, scope, resource, created, updated)"
        f" SELECT src.user_id, {source}, %(at_token)s, %(at_checksum)s, (SELECT id FROM nid),"
        " src.application_id, %(at_expires)s, src.scope, '[]'::jsonb, %(now)s, %(now)s"
        f" FROM src, {after} RETURNING id), "
        f"nrt AS (INSERT INTO {rt} (user_id, token, token_checksum, application_id, access_token_id, token_family,"
        " resource, created, updated, revoked)"
        f" SELECT src.user_id, %(rt_token)s, %(rt_checksum)s, src.application_id, nat.id, {family},"
        " '[]'::jsonb, %(now)s, %(now)s, NULL FROM src, nat RETURNING id)"
    )


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def execute(sql: str, params: dict[str, Any]) -> Sequence[Any] | None:
    """One statement through Django's connection (its wrappers, error translation and query log see it) on a
    psycopg cursor that binds on the server, so that psycopg prepares it once it has been sent a few times. In
    autocommit it is its own transaction."""
    connection.ensure_connection()
    raw = psycopg.Cursor(connection.connection)
    # Django wraps its own cursors this way (BaseDatabaseWrapper.cursor); the method is not in its type stubs.
    with connection._prepare_cursor(raw) as cursor:  # type: ignore[attr-defined]
        cursor.execute(sql, params)
        return cursor.fetchone()  # type: ignore[no-any-return]


def id_token(
    *,
    client_id: str,
    access_token: str,
    scopes: list[str],
    identity: DigitalIdentity,
    login: tuple[Any, str, str],
    issuer: str,
    jti: uuid.UUID,
    expires: Any,
    nonce: str | None = None,
) -> str:
    """The signed ID token the library's path would issue: oauthlib's first claims (GrantTypeBase.add_id_token),
    then the validator's (finalize_id_token), in their order. `login` is the eID login's auth_time, method and
    level."""
    auth_time, method, level = login
    values: dict[str, Any] = {"aud": client_id, "iat": int(time.time())}
    if nonce is not None:
        values["nonce"] = nonce
    # oauthlib's own hash (the left half of the SHA-256, base64url); the method does not use its instance.
    values["at_hash"] = GrantTypeBase.id_token_hash(None, access_token)
    values.update(validator.person_claims(identity, client_id, scopes))
    values["iss"] = issuer
    values["exp"] = int(expires.timestamp())
    values["auth_time"] = int(auth_time.timestamp())
    values["jti"] = str(jti)
    values["acr"] = claims.acr_for(level)
    values["amr"] = claims.amr_for(method)
    return signing.sign(values, algorithm=signing.algorithm_for(client_id))


def token_response(token: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(content=json.dumps(token), status=200)
    for name, value in _HEADERS.items():
        response[name] = value
    return response


@dataclass(frozen=True, slots=True)
class Issue:
    """The new tokens of one request, made before its statement: their values, the ID token's jti, the times."""

    access_token: str
    refresh_token: str
    jti: uuid.UUID = field(default_factory=uuid.uuid4)
    now: datetime.datetime = field(default_factory=timezone.now)

    @classmethod
    def new(cls, request: HttpRequest) -> Issue:
        return cls(tokens.new_token(request), tokens.new_token(request))

    @property
    def id_expires(self) -> datetime.datetime:
        return self.now + datetime.timedelta(seconds=oauth2_settings.ID_TOKEN_EXPIRE_SECONDS)

    def params(self) -> dict[str, Any]:
        """The statement parameters both statements write the new rows with (tokens kept only as their SHA-256
        under RFC 9700 storage, as the library's `set_token_value` keeps them)."""
        redact = bool(oauth2_settings.COMPLIANT_BCP_RFC9700_TOKEN_STORAGE)
        return {
            "now": self.now,
            "jti": self.jti,
            "id_expires": self.id_expires,
            "at_token": "" if redact else self.access_token,
            "at_checksum": sha256(self.access_token),
            "at_expires": self.now + datetime.timedelta(seconds=oauth2_settings.ACCESS_TOKEN_EXPIRE_SECONDS),
            "rt_token": "" if redact else self.refresh_token,
            "rt_checksum": sha256(self.refresh_token),
        }

    def response(
        self, request: HttpRequest, client_id: str, person: Sequence[Any], *, nonce: str | None = None
    ) -> HttpResponse:
        """The token response, as oauthlib's BearerToken and the OpenID grant make it. `person` is the statement's
        row from the scope on: scope, identity id, given and family name, the eID login's auth_time, method and
        level, and the new ID token row's id (None without the scope `openid`)."""
        scope, identity_id, given_name, family_name, auth_time, method, level, id_token_id = person
        token: dict[str, Any] = {
            "access_token": self.access_token,
            "expires_in": oauth2_settings.ACCESS_TOKEN_EXPIRE_SECONDS,
            "token_type": "Bearer",
            "scope": scope,
            "refresh_token": self.refresh_token,
        }
        if id_token_id is not None:
            token["id_token"] = id_token(
                client_id=client_id,
                access_token=self.access_token,
                scopes=scope.split(" "),  # a plain scope (checked by the statement): oauthlib's scope_to_list
                identity=DigitalIdentity(id=identity_id, given_name=given_name, family_name=family_name),
                login=(auth_time, method, level),
                issuer=issuer(request),
                jti=self.jti,
                expires=self.id_expires,
                nonce=nonce,
            )
        return token_response(token)
