"""oauthlib's OpenID Connect server with PKCE `plain` removed (SECURITY.md 10.4.x: S256 only).

oauthlib accepts `plain`, and takes a challenge without `code_challenge_method` as `plain`; django-oauth-toolkit's
RFC 9700 gate refuses `plain` only when the code is saved, after the person has logged in. Removing the method
here refuses the request at validation, before anything happens, with `invalid_request`.
"""

from __future__ import annotations

from typing import Any

from oauthlib.oauth2.rfc6749.grant_types.authorization_code import code_challenge_method_s256
from oauthlib.openid import Server as OpenIdServer

S256_ONLY = {"S256": code_challenge_method_s256}


class Server(OpenIdServer):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.auth_grant._code_challenge_methods = S256_ONLY
        # The OpenID grant wraps its own OAuth 2 grant; both would otherwise answer for `plain`.
        self.openid_connect_auth.proxy_target._code_challenge_methods = S256_ONLY
