"""The relying-party side of the RP API v3: start an authentication, poll its status (PROTOCOLS.md §1.2).

Machine-to-machine JSON, so CSRF-exempt; errors are RFC 9457 problem documents with SK's status codes.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from selfcare.simulators.gate import demo_only
from selfcare.simulators.pki.smartid_signer import running_session_status
from selfcare.simulators.smartid import accounts, answers, sessions
from selfcare.simulators.smartid.problems import Problem, problem_response
from selfcare.simulators.smartid.request_body import (
    AuthenticationRequest,
    Kind,
    check_relying_party,
    parse_authentication,
    parse_json,
)

_ETSI = re.compile(r"PNOLV-\d{6}-\d{5}|PNO(?:EE|LT)-\d{11}")
DEFAULT_TIMEOUT_MS = 60_500
MAX_TIMEOUT_MS = 120_000
POLL_INTERVAL_SECONDS = 0.1


def _authentication_request(request: HttpRequest, kind: Kind) -> AuthenticationRequest:
    body = parse_json(request.body)
    check_relying_party(body)
    return parse_authentication(body, kind)


def _answer_problems(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Turn a :class:`Problem` raised anywhere in the view into its RFC 9457 response."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except Problem as problem:
            return problem_response(problem.status, problem.detail)

    return wrapped


@csrf_exempt
@demo_only
@require_POST
@_answer_problems
def notification_etsi(request: HttpRequest, identifier: str) -> HttpResponse:
    """``POST v3/authentication/notification/etsi/PNOLV-…`` (or ``PNOEE-…``, ``PNOLT-…``): push a request to the
    person's phone page."""
    if _ETSI.fullmatch(identifier) is None:
        raise Problem(400, "the semantics identifier must be PNOLV-DDDDDD-DDDDD, PNOEE-… or PNOLT-… (11 digits)")
    auth = _authentication_request(request, "notification")
    account = accounts.find(identifier)
    if account is None:
        raise Problem(404, "no suitable account for this person")  # SK: v2's 471 became 404 in v3
    if account.behaviour.start_status is not None:
        raise Problem(account.behaviour.start_status, f"answering {account.behaviour.start_status} on purpose")
    session = sessions.Session(
        flow="notification",
        rp_name=auth.rp_name,
        rp_challenge=auth.rp_challenge,
        interactions_b64=auth.interactions_b64,
        certificate_level=auth.certificate_level,
        hash_algorithm=auth.hash_algorithm,
        personal_code=account.key,
    )
    sessions.save(session)
    return JsonResponse({"sessionID": session.session_id})


@csrf_exempt
@demo_only
@require_POST
@_answer_problems
def device_link_anonymous(request: HttpRequest) -> HttpResponse:
    """``POST v3/authentication/device-link/anonymous``: the person is learnt from whoever opens the link."""
    auth = _authentication_request(request, "device-link")
    session_token, session_secret = sessions.new_device_link_secrets()
    session = sessions.Session(
        flow="device-link",
        rp_name=auth.rp_name,
        rp_challenge=auth.rp_challenge,
        interactions_b64=auth.interactions_b64,
        certificate_level=auth.certificate_level,
        hash_algorithm=auth.hash_algorithm,
        session_token=session_token,
        session_secret=session_secret,
        device_link_base=request.build_absolute_uri(reverse("smartid-sim:device-link")),
        initial_callback_url=auth.initial_callback_url,
    )
    sessions.save(session)
    return JsonResponse(
        {
            "sessionID": session.session_id,
            "sessionToken": session.session_token,
            "sessionSecret": session.session_secret,
            "deviceLinkBase": session.device_link_base,
        }
    )


def _timeout_ms(request: HttpRequest) -> int:
    """SK clamps to 1000–120000 ms; we also take values down to 0 so tests need not wait."""
    raw = request.GET.get("timeoutMs")
    if raw is None:
        return DEFAULT_TIMEOUT_MS
    if not raw.isdigit():
        raise Problem(400, "timeoutMs must be a whole number of milliseconds")
    return min(int(raw), MAX_TIMEOUT_MS)


@demo_only
@require_GET
@never_cache
@_answer_problems
def session_status(request: HttpRequest, session_id: str) -> HttpResponse:
    """``GET v3/session/<id>?timeoutMs=N``: a long poll, answering as soon as the session ends or time is up."""
    deadline = time.monotonic() + _timeout_ms(request) / 1000
    while True:
        session = sessions.load(session_id)
        if session is None:
            raise Problem(404, "session not found")
        answers.settle_automatically(session)
        if session.status is not None:
            return JsonResponse(session.status)
        if time.monotonic() >= deadline:
            return JsonResponse(running_session_status())
        time.sleep(min(POLL_INTERVAL_SECONDS, max(0.0, deadline - time.monotonic())))
