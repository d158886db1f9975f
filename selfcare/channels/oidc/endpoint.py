"""The token endpoint's handling of its two grants, authorization_code and refresh_token, without the layers the
library puts around them.

django-oauth-toolkit's view hands the request to its OAuthLibCore, which parses the form through Django's
QueryDict, encodes it again, escapes the path and builds oauthlib's Request; oauthlib's token endpoint then checks
the method and the query string and picks the grant. Here an ordinary urlencoded POST without a query string goes
straight to the same grant object of the same server (oauthlib's refresh grant, or its dispatcher between the
OAuth 2 and OpenID code grants), with the same validator: every protocol check — client authentication, grant type,
the token or code, PKCE, the redirect URI, scopes, the ID token — is the one the library's path runs, in the same
order, with the same errors. Anything else (another grant, another content type, a query string, a body that is
not clean UTF-8 form data) returns None, and the library's view answers it as before.

What is not done here: the `catch_errors` and `available` switches of oauthlib's endpoint (both left at their
defaults by the library, so they never act).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from django.http import HttpRequest
from oauthlib.common import Request
from oauthlib.oauth2 import OAuth2Error
from oauthlib.oauth2.rfc6749.utils import scope_to_list

OWNED_GRANTS = frozenset({"authorization_code", "refresh_token"})
_FORM = "application/x-www-form-urlencoded"


def token_response(core: Any, request: HttpRequest) -> tuple[dict[str, str], str, int] | None:
    """oauthlib's (headers, body, status) for a refresh or code grant of `core`'s server (the view's cached
    OAuthLibCore), or None when the library's own path should answer the request."""
    if request.method != "POST" or request.content_type != _FORM or request.META.get("QUERY_STRING"):
        return None
    try:
        body = request.body.decode()
        grant_types = {value for key, value in parse_qsl(body, keep_blank_values=True) if key == "grant_type"}
    except (UnicodeDecodeError, ValueError):
        return None
    if len(grant_types) != 1 or not grant_types <= OWNED_GRANTS:
        return None  # missing, repeated or another grant: the library's errors
    server = core.server
    try:
        oauth_request = Request(request.path, http_method="POST", body=body, headers=core.extract_headers(request))
    except ValueError:
        return None  # not form data oauthlib can read: the library says so
    # What oauthlib's token endpoint sets before it picks the grant (TokenEndpoint.create_token_response).
    oauth_request.scopes = scope_to_list(oauth_request.scope)
    oauth_request.extra_credentials = core._get_extra_credentials(request)
    grant = server.grant_types[oauth_request.grant_type]
    try:
        headers, answer, status = grant.create_token_response(oauth_request, server.default_token_type)
    except OAuth2Error as error:
        # Raised after validation (saving the token, for instance): the library's core answers it the same way.
        return error.headers, error.json, error.status_code
    return headers, answer, status
