"""Smart-ID login pages: a device link (a QR code regenerated every second on desktop, a same-device link on
phones), or a notification to the person's phone (personal code + verification code).

As SK recommends, the device link is the way in on every device; the push notification, which relies on the person
noticing a request they did not start, is offered only in a browser that carries the person's known-device cookie
(selfcare.security.devices), unless the operator keeps it for everyone during a transition
(SMARTID_PUSH_FOR_EVERYONE).

The pending authentication lives in the server-side session; the browser sees only the verification code or
the current QR link. Each step is a POST (no state change on GET), except the Web2App callback, which the app
opens and which is bound to the session by a random value.
"""

from __future__ import annotations

import os
import ssl
import time

import segno
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from selfcare import tls
from selfcare.access.web import public_page
from selfcare.errors import message
from selfcare.identity.messages import error_code_for
from selfcare.identity.methods.base import Cancelled, EidError
from selfcare.identity.methods.smartid.client import Pending, SmartIdClient
from selfcare.identity.methods.smartid.config import SmartIdConfig, smartid_config
from selfcare.identity.selectors import identity_with_code
from selfcare.identity.services import record_failure
from selfcare.login_flow import log_in
from selfcare.portal.forms import PersonalCodeForm
from selfcare.portal.http import HtmxHttpRequest
from selfcare.portal.login.limits import LIMIT_BY_ADDRESS, LIMIT_BY_TYPED_CODE
from selfcare.portal.login.next_page import after_login_url
from selfcare.security import devices
from selfcare.security.ratelimit.web import rate_limited

METHOD = "smartid"
PENDING = "smartid.pending"
# Smart-ID's own language codes for the app (ISO 639-2).
_APP_LANGUAGES = {"lv": "lav", "en": "eng", "ru": "rus"}


# One client per process and configuration: a client per step made an HTTP client (a connection pool) and a new
# connection to SK (in production a TLS handshake) for every start, waiting page and status call. The client keeps
# no login's state (that is the session's `Pending`); httpx's client is safe to share between threads.
_shared: tuple[SmartIdConfig, ssl.SSLContext, int, SmartIdClient] | None = None


def _client() -> SmartIdClient:
    global _shared
    config = smartid_config()
    # The configuration (a test or a reload replaces it), the TLS trust store (selfcare/tls.py) and the process
    # (a client's connections must not cross a fork) it was made for.
    context, pid = tls.client_context(), os.getpid()
    shared = _shared
    if shared is None or shared[0] is not config or shared[1] is not context or shared[2] != pid:
        shared = _shared = (config, context, pid, SmartIdClient(config))
    return shared[3]


def _display_text(request: HttpRequest) -> str:
    from django.conf import settings

    return _("Log in to %(name)s") % {"name": settings.BRAND.name}


def _pending(request: HttpRequest) -> Pending | None:
    data = request.session.get(PENDING)
    return Pending.from_dict(data) if isinstance(data, dict) else None


def _after_login_url(request: HttpRequest) -> str:
    return after_login_url(request)


def _fail(request: HttpRequest, error: EidError, pending: Pending | None) -> str:
    request.session.pop(PENDING, None)
    record_failure(request, METHOD, error, claimed_code=pending.expected_code if pending else "")
    return message(error_code_for(error))


def push_offered(request: HttpRequest) -> bool:
    """Whether this browser is offered the push login at all: it has logged someone in before (or the operator
    keeps push for everyone). Which person it knows is checked when a code is typed (`_push_allowed_for`)."""
    from django.conf import settings

    return bool(settings.SMARTID_PUSH_FOR_EVERYONE) or devices.is_known_browser(request)


def _push_allowed_for(request: HttpRequest, form: PersonalCodeForm) -> bool:
    from django.conf import settings

    if settings.SMARTID_PUSH_FOR_EVERYONE:
        return True
    identity = identity_with_code(form.cleaned_data["personal_code"])
    return identity is not None and devices.is_known_browser(request, identity)


def _start_page(request: HttpRequest, form: PersonalCodeForm, *, status: int = 200) -> HttpResponse:
    # A refused code is shown with its message even in a browser not offered the field (a post made by hand).
    context = {"form": form, "push_offered": form.is_bound or push_offered(request)}
    return render(request, "portal/login/smartid.html", context, status=status)


@require_safe
@public_page
def start_page(request: HttpRequest) -> HttpResponse:
    return _start_page(request, PersonalCodeForm())


@require_POST
@public_page
@rate_limited(LIMIT_BY_ADDRESS, LIMIT_BY_TYPED_CODE)
def start_notification(request: HttpRequest) -> HttpResponse:
    form = PersonalCodeForm(request.POST)
    if not form.is_valid():
        return _start_page(request, form, status=400)
    if not _push_allowed_for(request, form):
        # One message whether the person is unknown or only new to this browser: the page tells nobody who exists.
        form.add_error(
            "personal_code",
            _(
                "In this browser, log in with the QR code or the link first. The login with your personal code is "
                "then offered here next time."
            ),
        )
        return _start_page(request, form, status=400)
    try:
        pending = _client().start_notification(form.cleaned_data["personal_code"], display_text=_display_text(request))
    except EidError as error:
        messages.error(request, _fail(request, error, None))
        return redirect("portal:login-smartid")
    request.session[PENDING] = pending.as_dict()
    return redirect("portal:login-smartid-wait")


@require_POST
@public_page
@rate_limited(LIMIT_BY_ADDRESS)
def start_device_link(request: HttpRequest) -> HttpResponse:
    same_device = request.POST.get("same_device") == "1"
    callback = request.build_absolute_uri(reverse("portal:login-smartid-callback")) if same_device else None
    client = _client()
    try:
        pending = client.start_device_link(display_text=_display_text(request), callback_url=callback)
    except EidError as error:
        messages.error(request, _fail(request, error, None))
        return redirect("portal:login-smartid")
    request.session[PENDING] = pending.as_dict()
    if same_device:
        return redirect(client.device_link(pending, link_type="Web2App", lang=_APP_LANGUAGES[get_language()[:2]]))
    return redirect("portal:login-smartid-wait")


def _waiting_context(request: HttpRequest, pending: Pending) -> dict[str, object]:
    config = smartid_config()
    elapsed = min(int(time.time() - pending.started_at), config.session_timeout_s)
    context: dict[str, object] = {"pending": pending, "elapsed": elapsed, "limit": config.session_timeout_s}
    if pending.flow == "device-link":
        link = _client().device_link(pending, link_type="QR", lang=_APP_LANGUAGES[get_language()[:2]])
        context["qr"] = segno.make(link, error="m").svg_data_uri(scale=5, border=2)
        context["qr_link"] = link
    return context


@require_safe
@public_page
def wait(request: HttpRequest) -> HttpResponse:
    pending = _pending(request)
    if pending is None:
        return redirect("portal:login-smartid")
    return render(request, "portal/login/smartid_wait.html", _waiting_context(request, pending))


@require_POST
@public_page
def status(request: HtmxHttpRequest) -> HttpResponse:
    """One step of waiting: the HTMX page calls it in a loop; without JavaScript the "Check now" button does."""
    pending = _pending(request)
    if pending is None:
        return _go(request, reverse("portal:login-smartid"))
    try:
        verified = _client().poll(pending)
        if verified is not None:
            request.session.pop(PENDING, None)
            log_in(request, verified)
            return _go(request, _after_login_url(request))
    except EidError as error:
        # The waiting page is over: back to the start, with the reason, in both the HTMX and the plain flow.
        messages.error(request, _fail(request, error, pending))
        return _go(request, reverse("portal:login-smartid"))
    if request.htmx:
        return render(request, "portal/login/smartid_progress.html", _waiting_context(request, pending))
    return redirect("portal:login-smartid-wait")


@require_POST
@public_page
def cancel(request: HttpRequest) -> HttpResponse:
    pending = _pending(request)
    if pending is not None:
        _fail(request, Cancelled(reason="cancelled_on_portal"), pending)
    return redirect("portal:login-smartid")


@require_safe
@public_page
def callback(request: HtmxHttpRequest) -> HttpResponse:
    """Web2App: the Smart-ID app returns the person here after they confirmed on the same phone."""
    pending = _pending(request)
    if pending is None:
        messages.error(request, message(error_code_for(Cancelled(reason="no_pending_session"))))
        return redirect("portal:login-smartid")
    try:
        verified = _client().complete_callback(
            pending,
            value=request.GET.get("value", ""),
            session_secret_digest=request.GET.get("sessionSecretDigest", ""),
            user_challenge_verifier=request.GET.get("userChallengeVerifier", ""),
        )
    except EidError as error:
        messages.error(request, _fail(request, error, pending))
        return redirect("portal:login-smartid")
    request.session.pop(PENDING, None)
    log_in(request, verified)
    return redirect(_after_login_url(request))


def _go(request: HtmxHttpRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
