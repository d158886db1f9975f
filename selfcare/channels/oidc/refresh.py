"""The refresh grant every app sends, answered in one statement on PostgreSQL (statements.py says why and how).

Taken here: `grant_type=refresh_token`, `refresh_token` and `client_id`, nothing else. The statement revokes the
spent token, deletes its access token and inserts the new ID token, access token and refresh token, but only where
every check of the library's path holds, each the library's or the validator's (validator.py, oauth2_validators.py,
oauthlib's grant):
- the client: the application of `client_id`, not confidential (`authenticate_client_id`), whose grant type allows
  refresh tokens (`validate_grant_type`), its ID tokens signed by us (`finalize_id_token`'s own path);
- the token: the live row of its SHA-256, of that application, with its access token, and not idle past
  REFRESH_TOKEN_EXPIRE_SECONDS after that expired (`validate_refresh_token`);
- the person: the token family's client login not ended, the identity active, the eID login younger than
  OIDC_REFRESH_TOKEN_ABSOLUTE_SECONDS;
- no RFC 8707 resource on the token (inherited resources are validated by the library's path);
- the scopes are the access token's (no `scope` parameter), written plainly (statements.PLAIN_SCOPE).

When it finds nothing — an unknown, spent or expired token, another client, a login ended, … — nothing is written
and the library's path answers, with its errors and their side effects (a spent token presented again revokes its
family). Concurrency: the UPDATE re-checks `revoked IS NULL` on the row it locks, so of two requests with the same
token one rotates, and the other writes nothing and goes the library's way, which sees a replay.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from oauth2_provider.models import (
    AccessToken,
    Application,
    RefreshToken,
    refresh_token_expire_timedelta,
)

from selfcare.channels.models import ClientLogin
from selfcare.channels.oidc import statements
from selfcare.identity.models import DigitalIdentity, IdentityStatus

FIELDS = frozenset({"grant_type", "refresh_token", "client_id"})


def _build() -> str | None:
    new_tokens = statements.new_tokens_sql(after="spent", source="src.id", family="src.token_family")
    if new_tokens is None:
        return None
    q = connection.ops.quote_name
    rt, at = q(RefreshToken._meta.db_table), q(AccessToken._meta.db_table)
    app, cl, di = (q(model._meta.db_table) for model in (Application, ClientLogin, DigitalIdentity))
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
        f" AND {statements.public_client_sql('refresh_token')}"
        " AND (%(idle_since)s::timestamptz IS NULL OR at.expires > %(idle_since)s::timestamptz)"
        " AND cl.revoked_at IS NULL AND di.status = %(active)s AND cl.auth_time > %(login_since)s"
        " AND rt.resource = '[]'::jsonb"
        f" AND at.scope ~ {statements.PLAIN_SCOPE}"
        "), "
        f"spent AS (UPDATE {rt} SET revoked = %(now)s, access_token_id = NULL"
        " WHERE id = (SELECT id FROM src) AND revoked IS NULL RETURNING id), "
        f"gone AS (DELETE FROM {at} WHERE id = (SELECT access_token_id FROM src) AND EXISTS (SELECT 1 FROM spent)), "
        f"{new_tokens} "
        "SELECT src.scope, src.identity_id, src.given_name, src.family_name, src.auth_time, src.method, src.level,"
        " (SELECT id FROM nid) FROM src, nrt"
    )


def answer(request: HttpRequest, form: dict[str, str]) -> HttpResponse | None:
    """The token response to a plain refresh request (`form`, statements.plain_form) that passes every check,
    written in one statement; None when the library's path should answer."""
    sql = statements.statement_for(form, FIELDS, _build)
    if sql is None:
        return None
    issue = statements.Issue.new(request)
    now, idle = issue.now, refresh_token_expire_timedelta()
    row = statements.execute(
        sql,
        {
            "checksum": statements.sha256(form["refresh_token"]),
            "client_id": form["client_id"],
            "idle_since": now - idle if idle else None,
            "active": IdentityStatus.ACTIVE.value,
            "login_since": now - datetime.timedelta(seconds=settings.OIDC_REFRESH_TOKEN_ABSOLUTE_SECONDS),
            **issue.params(),
        },
    )
    if row is None:
        return None
    return issue.response(request, form["client_id"], row)
