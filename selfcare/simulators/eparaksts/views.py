"""The platform's three endpoints: authorize (the person's pages), token and userinfo (machine to machine)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import time
from typing import Any
from urllib.parse import unquote, urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from selfcare.simulators.eparaksts import accounts, conf, signing_api
from selfcare.simulators.gate import demo_only

TEMPLATES = "simulators/eparaksts/"
LANGUAGES = ("lv", "en", "ru")


_key = conf.cache_key


def _refused(request: HttpRequest, text: str, status: int = 400) -> HttpResponse:
    """An error shown to the person: never a redirect to a client or URI that is not registered (RFC 6749 4.1.2.1)."""
    return render(request, TEMPLATES + "refused.html", {"message": text}, status=status)


def _back(redirect_uri: str, **params: str) -> HttpResponseRedirect:
    separator = "&" if "?" in redirect_uri else "?"
    return HttpResponseRedirect(f"{redirect_uri}{separator}{urlencode(params)}")


@demo_only
@require_GET
@never_cache
def authorize(request: HttpRequest) -> HttpResponse:
    query = request.GET
    language = query.get("ui_locales", "lv").split(" ")[0]
    with translation.override(language if language in LANGUAGES else "lv"):
        if query.get("client_id") != conf.client_id():
            return _refused(request, "Unknown client_id.")
        redirect_uri = query.get("redirect_uri", "")
        scope = query.get("scope", "")
        signing = scope in conf.sign_scopes()
        registered = conf.sign_redirect_uri_registered if signing else conf.redirect_uri_registered
        if not registered(redirect_uri):
            return _refused(request, "redirect_uri is not the one registered for this client.")
        state = query.get("state", "")
        if query.get("response_type") != "code":
            return _back(redirect_uri, error="unsupported_response_type", state=state)
        if not signing and scope.split() != [conf.SCOPE]:
            return _back(redirect_uri, error="invalid_scope", state=state)
        acr = query.get("acr_values", "")
        if acr not in conf.flows():
            return _back(redirect_uri, error="invalid_request", error_description="acr_values", state=state)
        pending: dict[str, str] = {
            "redirect_uri": redirect_uri,
            "state": state,
            "acr": acr,
            "language": translation.get_language(),
            "scope": scope,
        }
        consent = signing_api.consent_asked(query) if scope == conf.sign_scopes()[1] else None
        if scope == conf.sign_scopes()[1] and consent is None:
            return _back(redirect_uri, error="invalid_request", error_description="sign_identity_id", state=state)
        request_id = secrets.token_urlsafe(24)
        cache.set(_key("request", request_id), {**pending, **(consent or {})}, conf.REQUEST_LIFETIME_SECONDS)
        if consent is not None:
            return render(request, TEMPLATES + "sign_consent.html", {"request_id": request_id, **consent})
        context = {"request_id": request_id, "title": conf.flows()[acr], "accounts": accounts.ACCOUNTS}
        return render(request, TEMPLATES + "authorize.html", context)


@demo_only
@require_POST
def answer(request: HttpRequest) -> HttpResponse:
    """Confirm (as the chosen demo person) or cancel; either way back to the client with the state."""
    key = _key("request", request.POST.get("request_id", ""))
    pending: dict[str, str] | None = cache.get(key)
    if pending is None or not cache.delete(key):  # one answer per authorization request
        return _refused(request, "This login request has ended. Start again from the portal.", status=410)
    if request.POST.get("answer") != "confirm":
        return _back(pending["redirect_uri"], error="access_denied", state=pending["state"])
    # Consent to a signature is the signing identity's owner's; a login or the identities' listing chooses one.
    account = accounts.find(pending.get("account") or request.POST.get("account", ""))
    if account is None:
        return _refused(request, "Choose a person to log in as.")
    code = secrets.token_urlsafe(32)
    grant = {**pending, "account": account.key, "client_id": conf.client_id(), "issued_at": time.time()}
    cache.set(_key("code", code), grant, conf.CODE_LIFETIME_SECONDS)
    return _back(pending["redirect_uri"], code=code, state=pending["state"])


def _oauth_error(error: str, status: int = 400) -> JsonResponse:
    response = JsonResponse({"error": error}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Basic realm="lvrtc-eipsign-as"'
    response["Cache-Control"] = "no-store"
    return response


def _basic_credentials(request: HttpRequest) -> tuple[str, str] | None:
    """The platform's formula: base64(urlenc(client_id) + ":" + urlenc(client_secret))."""
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded, validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError):
        return None
    given_id, colon, given_secret = decoded.partition(":")
    return (unquote(given_id), unquote(given_secret)) if colon else None


@csrf_exempt  # machine to machine: the client authenticates with HTTP Basic, there is no browser session
@demo_only
@require_POST
def token(request: HttpRequest) -> HttpResponse:
    credentials = _basic_credentials(request)
    if credentials is None or not conf.client_credentials_match(*credentials):
        return _oauth_error("invalid_client", status=401)
    if request.POST.get("grant_type") != "authorization_code":
        return _oauth_error("unsupported_grant_type")
    code = request.POST.get("code", "")
    code_key, spent_key = _key("code", code), _key("spent", code)
    grant: dict[str, Any] | None = cache.get(code_key)
    if grant is None or not cache.delete(code_key):
        # A spent code presented again: revoke the token it gave, the code may have leaked (RFC 6749 4.1.2).
        spent = cache.get(spent_key)
        if spent is not None:
            cache.delete(_key("token", spent))
        return _oauth_error("invalid_grant")
    fresh = time.time() - float(grant["issued_at"]) <= conf.CODE_LIFETIME_SECONDS
    if not fresh or grant["client_id"] != credentials[0]:
        return _oauth_error("invalid_grant")
    if request.POST.get("redirect_uri", "") != grant["redirect_uri"]:
        return _oauth_error("invalid_grant")
    access_token = secrets.token_urlsafe(32)
    cache.set(_key("token", access_token), grant, conf.TOKEN_LIFETIME_SECONDS)
    cache.set(spent_key, access_token, conf.TOKEN_LIFETIME_SECONDS)
    response = JsonResponse(
        {"access_token": access_token, "token_type": "Bearer", "expires_in": conf.TOKEN_LIFETIME_SECONDS}
    )
    response["Cache-Control"] = "no-store"
    return response


@demo_only
@require_GET
def userinfo(request: HttpRequest) -> HttpResponse:
    scheme, _, access_token = request.headers.get("Authorization", "").partition(" ")
    grant: dict[str, Any] | None = cache.get(_key("token", access_token)) if scheme.lower() == "bearer" else None
    account = accounts.find(grant["account"]) if grant else None
    if grant is None or account is None:
        response = _oauth_error("invalid_token", status=401)
        response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        return response
    acr = str(grant["acr"])
    claims: dict[str, object] = {
        "sub": _pseudonym(acr, account.key),
        "domain": "citizen",
        "acr": acr,  # the live platform reportedly echoes the requested flow
        "amr": conf.amr_for(acr),
        "given_name": account.given_name.upper(),
        "family_name": account.family_name.upper(),
        "name": account.name.upper(),
        "serial_number": account.serial_number,
        "eips": 'VAS "Latvijas Valsts radio un televīzijas centrs"',
    }
    if not account.serial_number:
        del claims["serial_number"]
    return JsonResponse(claims, json_dumps_params={"ensure_ascii": False})


def _pseudonym(acr: str, account_key: str) -> str:
    """A different ``sub`` per method for the same person, as the live platform reportedly gives."""
    message = f"eparaksts-sim:sub:{acr}:{account_key}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:32]
