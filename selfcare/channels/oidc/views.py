"""The provider's endpoints that differ from django-oauth-toolkit's: the authorization endpoint, which uses the
portal's eID login pages as its login UI and honours `max_age`; and the discovery document, which states what the
provider really does.

Only a session that came from an eID login is a login here: a back-office session (password, staff) or anything
without an eID method is sent to the portal's login, like no session at all.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlparse

from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import resolve_url
from oauth2_provider.exceptions import InvalidOIDCClientError, InvalidOIDCRedirectURIError
from oauth2_provider.models import get_access_token_model
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.signals import app_authorized
from oauth2_provider.views import AuthorizationView as LibraryAuthorizationView
from oauth2_provider.views import ConnectDiscoveryInfoView, JwksInfoView, RPInitiatedLogoutView
from oauth2_provider.views import TokenView as LibraryTokenView

from selfcare.channels.oidc import endpoint, exchange, refresh, signing, statements
from selfcare.channels.oidc.claims import ACR_VALUES
from selfcare.channels.oidc.redirects import redirect_uri_matches
from selfcare.channels.oidc.validator import RotationLost, refresh_token_replayed
from selfcare.identity.selectors import identity_of
from selfcare.identity.services import SESSION_LEVEL, SESSION_LOGIN_AT, SESSION_METHOD

# A fresh eID login is owed when the session's login is older than this time (prompt=login, max_age).
SESSION_LOGIN_AFTER = "oidc.login_after"


class AuthorizationView(LibraryAuthorizationView):  # type: ignore[misc]
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            # Also for the consent form's POST: a code is only ever issued to an eID login.
            if identity_of(request.user) is None or not request.session.get(SESSION_METHOD):
                return self._no_eid_login(request)
            owed = self._fresh_login_owed(request) if request.method == "GET" else None
            if owed is not None:
                return owed
        return super().dispatch(request, *args, **kwargs)  # type: ignore[no-any-return]

    def _fresh_login_owed(self, request: HttpRequest) -> HttpResponse | None:
        login_at = float(request.session.get(SESSION_LOGIN_AT, 0))
        max_age = request.GET.get("max_age", "")
        if max_age.isdigit() and time.time() - login_at > int(max_age):
            return self._no_eid_login(request, drop=("max_age",))
        required = request.session.get(SESSION_LOGIN_AFTER)
        if isinstance(required, float) and login_at < required:
            return self._to_login(request, drop=())
        request.session.pop(SESSION_LOGIN_AFTER, None)
        return None

    def handle_prompt_login(self) -> HttpResponse:
        return self._to_login(self.request, drop=("prompt",))

    def _no_eid_login(self, request: HttpRequest, *, drop: tuple[str, ...] = ()) -> HttpResponse:
        """As if nobody were logged in: prompt=none hears `login_required` (after the request is validated, so
        never at an unregistered address); anything else goes to the eID login."""
        if "none" in request.GET.get("prompt", "").split():
            return self.handle_no_permission()  # type: ignore[no-any-return]
        return self._to_login(request, drop=(*drop, "prompt"))

    def _to_login(self, request: HttpRequest, *, drop: tuple[str, ...]) -> HttpResponse:
        """To the portal's login and back here. The session remembers that only a login from now on counts, so
        the parameters that asked for it can be dropped from the way back (max_age=0 would otherwise loop)."""
        request.session[SESSION_LOGIN_AFTER] = time.time()
        parsed = urlparse(request.get_full_path())
        query = [(k, v) for k, v in parse_qsl(parsed.query, keep_blank_values=True) if k not in drop]
        back = parsed._replace(query=urlencode(query)).geturl()
        return redirect_to_login(back, resolve_url(self.get_login_url()), self.get_redirect_field_name())

    def create_authorization_response(
        self, request: HttpRequest, scopes: str, credentials: dict[str, Any], allow: bool
    ) -> Any:
        # Set on the oauthlib request, where the validator stores them with the code (ClientLogin).
        login_at = float(request.session.get(SESSION_LOGIN_AT, time.time()))
        credentials["eid_auth_time"] = datetime.datetime.fromtimestamp(login_at, tz=datetime.UTC)
        credentials["eid_method"] = request.session.get(SESSION_METHOD, "")
        credentials["eid_level"] = request.session.get(SESSION_LEVEL, "")
        return super().create_authorization_response(request, scopes, credentials, allow)


class DiscoveryView(ConnectDiscoveryInfoView):  # type: ignore[misc]
    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        document = json.loads(response.content)
        document.update(
            {
                "id_token_signing_alg_values_supported": [signing.RS256, signing.ES256],
                "grant_types_supported": ["authorization_code", "refresh_token"],
                "response_modes_supported": ["query"],
                "revocation_endpoint": self._get_endpoint_url(request, "revoke-token", required=True),
                "revocation_endpoint_auth_methods_supported": ["none", "client_secret_basic"],
                "acr_values_supported": list(ACR_VALUES),
                "claims_supported": [
                    "sub",
                    "iss",
                    "aud",
                    "exp",
                    "iat",
                    "auth_time",
                    "nonce",
                    "acr",
                    "amr",
                    "name",
                    "given_name",
                    "family_name",
                    "userAssets",
                ],
                "claims_parameter_supported": False,
                "request_parameter_supported": False,
                "request_uri_parameter_supported": False,
            }
        )
        return JsonResponse(document, headers={"Access-Control-Allow-Origin": "*"})


class TokenView(LibraryTokenView):  # type: ignore[misc]
    """The library's token endpoint, in one transaction per request (one commit; the validator's writes need no
    savepoints of their own); the code and refresh grants handed straight to oauthlib's grants (endpoint.py); and
    without the read-back of the new access token that only feeds the `app_authorized` signal when nothing listens
    to it."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # An app's plain refresh or code exchange, in one statement (statements.py); else the library's path.
        form, answered = statements.plain_form(request), None
        if form is not None:
            grant = {"refresh_token": refresh.answer, "authorization_code": exchange.answer}.get(
                form.get("grant_type", "")
            )
            answered = grant(request, form) if grant is not None else None
        if answered is not None:
            return answered
        try:
            with transaction.atomic():
                owned = endpoint.token_response(self.get_oauthlib_core(), request)
                if owned is None:
                    return super().post(request, *args, **kwargs)  # type: ignore[no-any-return]
                return self._respond(request, *owned)
        except RotationLost as lost:
            refresh_token_replayed(lost.family)
            return JsonResponse(
                {"error": "invalid_grant"}, status=400, headers={"Cache-Control": "no-store", "Pragma": "no-cache"}
            )

    def authorization_flow_token_response(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _url, headers, body, status = self.create_token_response(request)
        return self._respond(request, headers, body, status)

    def _respond(self, request: HttpRequest, headers: dict[str, str], body: str, status: int) -> HttpResponse:
        if status == 200 and app_authorized.has_listeners(type(self)):
            access_token = json.loads(body).get("access_token")
            if access_token is not None:
                checksum = hashlib.sha256(access_token.encode()).hexdigest()
                token = get_access_token_model().objects.get(token_checksum=checksum)
                app_authorized.send(sender=self, request=request, token=token)
        response = HttpResponse(content=body, status=status)
        for name, value in headers.items():
            response[name] = value
        return response


class JwksView(JwksInfoView):  # type: ignore[misc]
    """The library's JWKS (the RSA key and any being retired) and the P-256 key of ES256 ID tokens."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        document = {"keys": signing.published_keys()} if oauth2_settings.OIDC_RSA_PRIVATE_KEY else {"keys": []}
        response.content = json.dumps(document).encode()
        return response  # type: ignore[no-any-return]


class LogoutView(RPInitiatedLogoutView):  # type: ignore[misc]
    """RP-initiated logout. The library's strict mode refuses every `http` return address of a public client,
    which also refuses a native app's loopback listener (RFC 8252); here the address must match a registered one
    exactly, with the same loopback-port exception as the redirect URI."""

    def validate_post_logout_redirect_uri(self, application: Any, post_logout_redirect_uri: str) -> None:
        if not post_logout_redirect_uri:
            return
        if not application:
            raise InvalidOIDCClientError()
        if not redirect_uri_matches(post_logout_redirect_uri, application.post_logout_redirect_uris.split()):
            raise InvalidOIDCRedirectURIError("This client does not have this redirect uri registered.")
