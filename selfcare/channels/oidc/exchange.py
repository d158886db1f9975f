"""An app's code exchange, answered in one statement on PostgreSQL (statements.py says why and how).

Taken here: `grant_type=authorization_code`, `code`, `redirect_uri`, `client_id` and `code_verifier`, nothing
else. The statement deletes the code's grant, gives the eID login behind it its token family, inserts the ID
token, access token and refresh token, and records the first issue in the person's activity (the audit event the
validator records), but only where every check of the library's path holds, each the library's, oauthlib's or the
validator's:
- the client: the application of `client_id`, not confidential (`authenticate_client_id`), whose grant type allows
  codes (`validate_grant_type`), its ID tokens signed by us (`finalize_id_token`'s own path);
- the code: its grant, of that application, not expired (`validate_code`); its PKCE challenge S256 and equal to the
  verifier's (oauthlib's `code_challenge_method_s256`; the server allows no other method, and PKCE is required);
  the redirect URI exactly the one the code was issued for (`confirm_redirect_uri`); no RFC 8707 resource on it;
  its scopes written plainly (statements.PLAIN_SCOPE);
- the eID login the code was issued from, stored with its digest (validator._create_authorization_code).

When it finds nothing — a wrong verifier, another client, an expired or exchanged code, … — nothing is written and
the library's path answers, with its errors and their side effects (a code presented again revokes what it issued).
Two requests with the same code: the DELETE settles it, the second finds no grant and goes the library's way.
"""

from __future__ import annotations

import base64
import hashlib
import uuid

from django.db import connection
from django.http import HttpRequest, HttpResponse
from oauth2_provider.models import AbstractApplication, AccessToken, Application, Grant, IDToken, RefreshToken
from oauth2_provider.oauth2_validators import GRANT_TYPE_MAPPING

from selfcare.audit.models import AuditEvent
from selfcare.channels.models import ClientLogin
from selfcare.channels.oidc import refresh, statements
from selfcare.identity.models import DigitalIdentity

FIELDS = frozenset({"grant_type", "code", "redirect_uri", "client_id", "code_verifier"})
AUDIT_COLUMNS = {
    "id",
    "occurred_at",
    "identity_id",
    "context",
    "company_id",
    "action",
    "staff_role",
    "subject_id",
    "object_type",
    "object_id",
    "ip_address",
    "user_agent",
}
ISSUED = "oidc:token:issue"  # the validator's audit action for a code's first tokens


def _build() -> str | None:
    if not (
        statements.writes_every_column(AccessToken, refresh.ACCESS_TOKEN_COLUMNS)
        and statements.writes_every_column(RefreshToken, refresh.REFRESH_TOKEN_COLUMNS)
        and statements.writes_every_column(IDToken, refresh.ID_TOKEN_COLUMNS)
        and statements.writes_every_column(AuditEvent, AUDIT_COLUMNS)
    ):
        return None
    q = connection.ops.quote_name
    rt, at, idt = (q(model._meta.db_table) for model in (RefreshToken, AccessToken, IDToken))
    grant, app, cl = (q(model._meta.db_table) for model in (Grant, Application, ClientLogin))
    di, audit = q(DigitalIdentity._meta.db_table), q(AuditEvent._meta.db_table)
    grant_types = ", ".join(f"'{kind}'" for kind in GRANT_TYPE_MAPPING["authorization_code"])
    return (
        "WITH src AS ("  # noqa: S608 - names from the models, values parameters
        " SELECT g.id, g.user_id, g.application_id, g.scope, g.nonce, cl.id AS login_id,"
        " di.id AS identity_id, di.given_name, di.family_name, cl.auth_time, cl.method, cl.level"
        f" FROM {grant} g"
        f" JOIN {app} app ON app.id = g.application_id"
        f" JOIN {cl} cl ON cl.code_digest = %(digest)s"
        f" JOIN {di} di ON di.id = cl.identity_id"
        " WHERE g.code = %(code)s AND app.client_id = %(client_id)s"
        f" AND app.client_type <> '{AbstractApplication.CLIENT_CONFIDENTIAL}'"
        f" AND app.authorization_grant_type IN ({grant_types})"
        f" AND app.algorithm = '{AbstractApplication.RS256_ALGORITHM}'"
        " AND g.expires > %(now)s"
        " AND g.code_challenge_method = 'S256' AND g.code_challenge = %(challenge)s"
        " AND g.redirect_uri = %(redirect_uri)s"
        " AND g.resource = '[]'::jsonb"
        f" AND g.scope ~ {statements.PLAIN_SCOPE}"
        " LIMIT 1), "
        f"gone AS (DELETE FROM {grant} WHERE id = (SELECT id FROM src) RETURNING id), "
        f"family AS (UPDATE {cl} SET token_family = %(family)s"
        " WHERE id = (SELECT login_id FROM src) AND EXISTS (SELECT 1 FROM gone)), "
        f"nid AS (INSERT INTO {idt} (user_id, jti, application_id, expires, scope, created, updated)"
        " SELECT src.user_id, %(jti)s, src.application_id, %(id_expires)s, src.scope, %(now)s, %(now)s"
        " FROM src, gone WHERE 'openid' = ANY(string_to_array(src.scope, ' ')) RETURNING id), "
        f"nat AS (INSERT INTO {at} (user_id, source_refresh_token_id, token, token_checksum, id_token_id,"
        " application_id, expires, scope, resource, created, updated)"
        " SELECT src.user_id, NULL, %(at_token)s, %(at_checksum)s, (SELECT id FROM nid), src.application_id,"
        " %(at_expires)s, src.scope, '[]'::jsonb, %(now)s, %(now)s FROM src, gone RETURNING id), "
        f"nrt AS (INSERT INTO {rt} (user_id, token, token_checksum, application_id, access_token_id, token_family,"
        " resource, created, updated, revoked)"
        " SELECT src.user_id, %(rt_token)s, %(rt_checksum)s, src.application_id, nat.id, %(family)s,"
        " '[]'::jsonb, %(now)s, %(now)s, NULL FROM src, nat RETURNING id), "
        f"issued AS (INSERT INTO {audit} (occurred_at, identity_id, context, company_id, action, staff_role,"
        " subject_id, object_type, object_id, ip_address, user_agent)"
        " SELECT %(now)s, src.identity_id, '', NULL, %(action)s, '', NULL, %(object_type)s, src.login_id::text,"
        " NULL, '' FROM src, nrt) "
        "SELECT src.scope, src.nonce, src.identity_id, src.given_name, src.family_name, src.auth_time, src.method,"
        " src.level, (SELECT id FROM nid) FROM src, nrt"
    )


def _s256(verifier: str) -> str:
    """RFC 7636 §4.6, as oauthlib computes it (code_challenge_method_s256)."""
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


def answer(request: HttpRequest) -> HttpResponse | None:
    """The token response to a plain code exchange that passes every check, written in one statement; None when
    the library's path should answer."""
    plain = statements.plain_request(request, "authorization_code", FIELDS, _build)
    if plain is None:
        return None
    form, sql = plain
    issue = statements.Issue.new(request)
    row = statements.execute(
        sql,
        {
            "code": form["code"],
            "digest": statements.sha256(form["code"]),
            "client_id": form["client_id"],
            "challenge": _s256(form["code_verifier"]),
            "redirect_uri": form["redirect_uri"],
            "family": uuid.uuid4(),
            "action": ISSUED,
            "object_type": ClientLogin._meta.label_lower,
            **issue.params(),
        },
    )
    if row is None:
        return None
    scope, nonce, *person = row
    # The grant's nonce, as the validator's get_authorization_code_nonce gives it.
    return issue.response(request, form["client_id"], [scope, *person], nonce=nonce or None)
