"""Helpers for driving the provider with Django's test client: an eID session, the authorization request with
PKCE, the code exchange, and ID token verification with an independent library (Authlib's JOSE)."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

from django.test import Client
from joserfc import jwt
from joserfc.jwk import KeySet
from oauth2_provider.models import Application

from selfcare.identity.models import DigitalIdentity
from selfcare.identity.services import SESSION_LAST_SEEN, SESSION_LEVEL, SESSION_LOGIN_AT, SESSION_METHOD

REDIRECT_URI = "http://127.0.0.1/callback"
APP_REDIRECT = "http://127.0.0.1:53117/callback"  # the loopback listener's port of the moment


def app(client_id: str = "test-app", **overrides: Any) -> Application:
    values: dict[str, Any] = {
        "name": "Test app",
        "client_id": client_id,
        "client_type": Application.CLIENT_PUBLIC,
        "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
        "redirect_uris": REDIRECT_URI,
        "post_logout_redirect_uris": "http://127.0.0.1/logged-out",
        "algorithm": Application.RS256_ALGORITHM,
        "skip_authorization": True,
    } | overrides
    return Application.objects.create(**values)


def eid_session(
    client: Client, identity: DigitalIdentity, *, method: str = "smartid", level: str = "qualified", age: float = 0
) -> None:
    """What a completed eID login leaves in the session (selfcare.identity.services.login_verified)."""
    client.force_login(identity.user)
    session = client.session
    session[SESSION_METHOD] = method
    session[SESSION_LEVEL] = level
    session[SESSION_LOGIN_AT] = time.time() - age
    session[SESSION_LAST_SEEN] = time.time()
    session.save()


@dataclass
class Pkce:
    verifier: str
    challenge: str

    @classmethod
    def new(cls) -> Pkce:
        verifier = secrets.token_urlsafe(48)
        digest = hashlib.sha256(verifier.encode()).digest()
        return cls(verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode())


def authorize_url(client_id: str = "test-app", pkce: Pkce | None = None, **params: str) -> str:
    values = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": APP_REDIRECT,
        "scope": "openid profile connections",
        "state": "state-1",
        "nonce": "nonce-1",
    }
    if pkce is not None:
        values |= {"code_challenge": pkce.challenge, "code_challenge_method": "S256"}
    return "/oauth/authorize/?" + urlencode(values | params)


def query_of(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}


def code_from(client: Client, pkce: Pkce, **params: str) -> str:
    response = client.get(authorize_url(pkce=pkce, **params))
    assert response.status_code == 302, response.content[:500]
    answer = query_of(response["Location"])
    assert "code" in answer, answer
    return answer["code"]


def token_request(client: Client, form: dict[str, str]) -> Any:
    """A POST to the token endpoint as RFC 6749 §4.1.3 has clients send it: a urlencoded form (the test client's
    default would be multipart)."""
    return client.post("/oauth/token/", urlencode(form), content_type="application/x-www-form-urlencoded")


def exchange(
    client: Client, code: str, pkce: Pkce, *, redirect_uri: str = APP_REDIRECT, client_id: str = "test-app"
) -> Any:
    return token_request(
        client,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": client_id,
            "code_verifier": pkce.verifier,
        },
    )


def refresh(client: Client, refresh_token: str, client_id: str = "test-app") -> Any:
    return token_request(
        client, {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": client_id}
    )


def id_token_claims(client: Client, token: str, client_id: str = "test-app") -> dict[str, Any]:
    """Verify the signature against the published JWKS and the standard claims; return the claims."""
    keys = KeySet.import_key_set(json.loads(client.get("/oauth/jwks/").content))
    issuer = json.loads(client.get("/.well-known/openid-configuration").content)["issuer"]
    decoded = jwt.decode(token, keys, algorithms=["RS256"])
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": issuer}, aud={"essential": True, "value": client_id}, exp={"essential": True}
    ).validate(decoded.claims)
    return dict(decoded.claims)
