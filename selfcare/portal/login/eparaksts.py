"""eParaksts login pages (eParaksts Mobile, eParaksts with an eID card, eID Scan): one OAuth 2.0 authorization
code flow through LVRTC's e-Identity platform, three buttons choosing its ``acr_values``.

The start page (GET) only explains; its button POSTs, which keeps a new ``state`` in the server-side session and
sends the browser to the platform. The platform sends the person back to the callback, the protocol's one GET
that changes state: the ``state`` must be the one this browser's session holds (single use, at most
``EPARAKSTS_STATE_MAX_AGE_SECONDS`` old), then the code is exchanged and the person logged in with a new session
identifier. The redirect URI is exactly the configured one (in the demo, the portal's callback URL without a
language prefix, so one URI serves every language; the page language travels in the pending login instead).
"""

from __future__ import annotations

import hmac
import re
import secrets
import time
from dataclasses import asdict, dataclass

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_POST, require_safe

from selfcare.access.web import public_page
from selfcare.errors import message
from selfcare.identity.messages import error_code_for
from selfcare.identity.methods.base import (
    BadResponse,
    Cancelled,
    EidError,
    Refused,
    TimedOut,
    Unavailable,
    VerifiedIdentity,
)
from selfcare.identity.methods.eparaksts.client import EparakstsClient
from selfcare.identity.methods.eparaksts.config import METHOD_ACR_SETTINGS, eparaksts_config
from selfcare.identity.methods.registry import method_info
from selfcare.identity.services import record_failure
from selfcare.login_flow import log_in
from selfcare.portal.login.limits import LIMIT_BY_ADDRESS
from selfcare.portal.login.next_page import after_login_url
from selfcare.security.ratelimit.web import rate_limited

PENDING = "eparaksts.pending"
UNKNOWN_METHOD = "eparaksts"  # recorded when a callback arrives without a login started in this browser
METHODS = tuple(METHOD_ACR_SETTINGS)
# Where each method's start page lives (the registry names these routes).
START_URL_NAMES = {
    "eparaksts-mobile": "portal:login-eparaksts-mobile",
    "eparaksts-card": "portal:login-eparaksts-card",
    "eid-scan": "portal:login-eid-scan",
}
# Provider errors that mean "try later", per RFC 6749 §4.1.2.1; any other is a refusal.
_PROVIDER_UNAVAILABLE = {"server_error", "temporarily_unavailable"}
_PROVIDER_ERROR = re.compile(r"^[a-z_]{1,40}$")


@dataclass(frozen=True)
class Pending:
    """A started login, kept in the browser's server-side session; only ``state`` ever leaves the server."""

    method: str
    state: str
    redirect_uri: str
    language: str
    created_at: float

    @classmethod
    def from_session(cls, data: object) -> Pending | None:
        if not isinstance(data, dict):
            return None
        try:
            return cls(**data)
        except TypeError:
            return None


def _client() -> EparakstsClient:
    return EparakstsClient(eparaksts_config())


def _redirect_uri(request: HttpRequest) -> str:
    configured = eparaksts_config().redirect_uri
    if configured:
        return configured
    with translation.override(settings.LANGUAGE_CODE):  # the default language has no prefix
        return request.build_absolute_uri(reverse("portal:login-eparaksts-callback"))


def _method_or_404(method: str) -> str:
    if method not in METHODS:
        raise Http404("no such eParaksts method")
    return method


@require_safe
@public_page
def start_page(request: HttpRequest, method: str) -> HttpResponse:
    info = method_info(_method_or_404(method))
    return render(
        request,
        "portal/login/eparaksts.html",
        {"method": info, "start_url": reverse(f"{START_URL_NAMES[method]}-start")},
    )


@require_POST
@public_page
@rate_limited(LIMIT_BY_ADDRESS)
def start(request: HttpRequest, method: str) -> HttpResponse:
    _method_or_404(method)
    language = translation.get_language()[:2]
    pending = Pending(
        method=method,
        state=secrets.token_urlsafe(32),
        redirect_uri=_redirect_uri(request),
        language=language,
        created_at=time.time(),
    )
    # One login at a time per browser: a new start replaces (and so invalidates) an earlier unfinished one.
    request.session[PENDING] = asdict(pending)
    url = _client().authorize_url(
        method=method, state=pending.state, redirect_uri=pending.redirect_uri, ui_locale=language
    )
    return redirect(url)


@require_safe
@public_page
def callback(request: HttpRequest) -> HttpResponse:
    """Where the platform returns the person: ``?code&state`` or ``?error&state``."""
    # Popped whatever happens next: a state is good for one callback only.
    pending = Pending.from_session(request.session.pop(PENDING, None))
    method = pending.method if pending else UNKNOWN_METHOD
    with translation.override(pending.language if pending else translation.get_language()):
        try:
            verified = _complete(request, pending)
        except EidError as error:
            record_failure(request, method, error)
            return _failed(request, method, error)
        try:
            log_in(request, verified)
        except Refused as error:  # a suspended identity: log_in has recorded it
            return _failed(request, method, error)
        return redirect(after_login_url(request))


def _failed(request: HttpRequest, method: str, error: EidError) -> HttpResponse:
    messages.error(request, message(error_code_for(error)))
    return redirect(reverse(START_URL_NAMES.get(method, "portal:login")))


def _complete(request: HttpRequest, pending: Pending | None) -> VerifiedIdentity:
    state = request.GET.get("state", "")
    if pending is None or not state or not hmac.compare_digest(state, pending.state):
        raise Refused("state_mismatch")
    if time.time() - pending.created_at > eparaksts_config().state_max_age_s:
        raise TimedOut(reason="state_expired")
    error = request.GET.get("error", "")
    if error:
        raise _provider_error(error)
    code = request.GET.get("code", "")
    if not code:
        raise BadResponse(reason="missing_code")
    return _client().complete(method=pending.method, code=code, redirect_uri=pending.redirect_uri)


def _provider_error(error: str) -> EidError:
    """The platform's ``error`` parameter as one of ours; its free text (error_description) is never shown."""
    if error == "access_denied":
        return Cancelled(reason="access_denied")
    reason = error if _PROVIDER_ERROR.match(error) else "provider_error"
    if error in _PROVIDER_UNAVAILABLE:
        return Unavailable(reason=reason)
    return Refused(reason)
