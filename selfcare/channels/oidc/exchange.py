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
from oauth2_provider.models import Application, Grant

from selfcare.audit.models import AuditEvent
from selfcare.channels.models import ClientLogin
from selfcare.channels.oidc import statements, validator
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
    new_tokens = statements.new_tokens_sql(after="gone", source="NULL", family="%(family)s")
    if new_tokens is None or not statements.writes_every_column(AuditEvent, AUDIT_COLUMNS):
        return None
    q = connection.ops.quote_name
    grant, app, cl = (q(model._meta.db_table) for model in (Grant, Application, ClientLogin))
    di, audit = q(DigitalIdentity._meta.db_table), q(AuditEvent._meta.db_table)
    return (
        "WITH src AS ("  # noqa: S608 - names from the models, values parameters
        " SELECT g.id, g.user_id, g.application_id, g.scope, g.nonce, cl.id AS login_id,"
        " di.id AS identity_id, di.given_name, di.family_name, cl.auth_time, cl.method, cl.level"
        f" FROM {grant} g"
        f" JOIN {app} app ON app.id = g.application_id"
        f" JOIN {cl} cl ON cl.code_digest = %(digest)s"
        f" JOIN {di} di ON di.id = cl.identity_id"
        " WHERE g.code = %(code)s"
        f" AND {statements.public_client_sql('authorization_code')}"
        " AND g.expires > %(now)s"
        " AND g.code_challenge_method = 'S256' AND g.code_challenge = %(challenge)s"
        " AND g.redirect_uri = %(redirect_uri)s"
        " AND g.resource = '[]'::jsonb"
        f" AND g.scope ~ {statements.PLAIN_SCOPE}"
        " LIMIT 1), "
        f"gone AS (DELETE FROM {grant} WHERE id = (SELECT id FROM src) RETURNING id), "
        f"family AS (UPDATE {cl} SET token_family = %(family)s"
        " WHERE id = (SELECT login_id FROM src) AND EXISTS (SELECT 1 FROM gone)), "
        f"{new_tokens}, "
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


def answer(request: HttpRequest, form: dict[str, str]) -> HttpResponse | None:
    """The token response to a plain code exchange (`form`, statements.plain_form) that passes every check,
    written in one statement; None when the library's path should answer."""
    sql = statements.statement_for(form, FIELDS, _build)
    if sql is None:
        return None
    issue = statements.Issue.new(request)
    row = statements.execute(
        sql,
        {
            "code": form["code"],
            "digest": validator.code_digest(form["code"]),  # how the code's eID login is stored
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
