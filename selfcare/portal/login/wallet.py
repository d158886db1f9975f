"""EU Digital Identity Wallet login pages: OpenID4VP cross-device (QR code) and same-device (a link).

The start button makes a transaction (identity/methods/wallet/verifier.py) and keeps only its id in the browser's
session. The wait page shows the QR code and the same-device link, both carrying our ``request_uri``; the wallet
fetches the signed request there and posts its encrypted answer to ``response_uri``, where it is verified in full
and the outcome kept with the transaction. The browser then finishes the login: the waiting page by polling, the
same-device browser by following the ``redirect_uri`` we gave the wallet, whose ``response_code`` must be this
transaction's (so an answer can only log in the browser that started the login).
"""

from __future__ import annotations

import hmac
from dataclasses import asdict

import segno
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from selfcare.access.web import public_page
from selfcare.errors import message
from selfcare.identity.messages import error_code_for
from selfcare.identity.methods import base
from selfcare.identity.methods.base import EidError, Refused, TimedOut, VerifiedIdentity
from selfcare.identity.methods.registry import method_info
from selfcare.identity.methods.wallet.config import wallet_config
from selfcare.identity.methods.wallet.verifier import (
    METHOD,
    Transaction,
    invocation_link,
    request_object,
    start_transaction,
    verify_answer,
)
from selfcare.identity.services import record_failure
from selfcare.login_flow import log_in
from selfcare.portal.login.limits import LIMIT_BY_ADDRESS
from selfcare.portal.login.next_page import after_login_url
from selfcare.security.ratelimit.web import rate_limited

PENDING = "wallet.pending"
FLOWS = ("qr", "link")  # cross-device, same-device
_ERRORS: dict[str, type[EidError]] = {
    cls.__name__: cls for cls in (base.Cancelled, base.TimedOut, base.Refused, base.Unavailable, base.BadResponse)
}


def _pending(request: HttpRequest) -> Transaction | None:
    transaction_id = request.session.get(PENDING)
    return Transaction.load(transaction_id) if isinstance(transaction_id, str) else None


@require_safe
@public_page
def start_page(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/login/wallet.html", {"method": method_info(METHOD)})


@require_POST
@public_page
@rate_limited(LIMIT_BY_ADDRESS)
def start(request: HttpRequest) -> HttpResponse:
    # One login at a time per browser: a new start replaces an earlier unfinished one.
    request.session[PENDING] = start_transaction().id
    return redirect("portal:login-wallet-wait")


def _link(request: HttpRequest, transaction: Transaction, flow: str) -> str:
    uri = request.build_absolute_uri(reverse("portal:login-wallet-request", args=[transaction.id, flow]))
    return invocation_link(transaction, request_uri=uri)


@require_safe
@public_page
def wait(request: HttpRequest) -> HttpResponse:
    transaction = _pending(request)
    if transaction is None:
        messages.error(request, message(error_code_for(TimedOut(reason="state_expired"), METHOD)))
        return redirect("portal:login-wallet")
    qr_link = _link(request, transaction, "qr")
    context = {
        "qr": segno.make(qr_link, error="m").svg_data_uri(scale=4, border=2),
        "qr_link": qr_link,
        "same_device_link": _link(request, transaction, "link"),
    }
    return render(request, "portal/login/wallet_wait.html", context)


@require_safe
@public_page
def request_object_view(request: HttpRequest, transaction_id: str, flow: str) -> HttpResponse:
    """The wallet fetches the signed request here (OpenID4VP 1.0 §5.10: request_uri, GET)."""
    transaction = Transaction.load(transaction_id)
    if transaction is None or transaction.outcome is not None or flow not in FLOWS:
        raise Http404("no such wallet request")
    response_uri = request.build_absolute_uri(reverse("portal:login-wallet-response", args=[transaction.id, flow]))
    signed = request_object(transaction, response_uri=response_uri)
    return HttpResponse(signed, content_type="application/oauth-authz-req+jwt")


@csrf_exempt  # the wallet posts here (direct_post.jwt): it has no session; the JWE and state authenticate it
@require_POST
@public_page
def response(request: HttpRequest, transaction_id: str, flow: str) -> HttpResponse:
    transaction = Transaction.load(transaction_id)
    if transaction is None or transaction.outcome is not None or flow not in FLOWS:
        return JsonResponse({"error": "invalid_request"}, status=400)
    try:
        verified = verify_answer(transaction, {k: str(v) for k, v in request.POST.items()})
        outcome: dict[str, object] = {"verified": asdict(verified)}
    except EidError as error:
        outcome = {"error": type(error).__name__, "reason": error.reason or error.code}
    answered = Transaction(**{**asdict(transaction), "outcome": outcome})
    answered.save(wallet_config().max_age_s)
    if flow != "link":
        return JsonResponse({})
    back = reverse("portal:login-wallet-return") + f"?response_code={transaction.response_code}"
    return JsonResponse({"redirect_uri": request.build_absolute_uri(back)})


@require_POST
@public_page
def status(request: HttpRequest) -> HttpResponse:
    """One step of waiting (HTMX in a loop; without JavaScript the "Check now" button)."""
    transaction = _pending(request)
    if transaction is not None and transaction.outcome is None:
        if request.headers.get("HX-Request"):
            return render(request, "portal/login/wallet_progress.html")
        return redirect("portal:login-wallet-wait")
    url = _finish(request, transaction)
    return HttpResponseClientRedirect(url) if request.headers.get("HX-Request") else redirect(url)


@require_safe
@public_page
def back(request: HttpRequest) -> HttpResponse:
    """The same-device browser, sent back by the wallet to the redirect_uri we gave it."""
    transaction = _pending(request)
    code = request.GET.get("response_code", "")
    if transaction is not None and not hmac.compare_digest(code, transaction.response_code):
        transaction = None
    return redirect(_finish(request, transaction))


def _finish(request: HttpRequest, transaction: Transaction | None) -> str:
    """Log in with the transaction's outcome, or record why not; the URL to go to next."""
    request.session.pop(PENDING, None)
    if transaction is None or transaction.outcome is None:
        return _failed(request, Refused("state_mismatch") if transaction is None else TimedOut(reason="state_expired"))
    transaction.delete()  # an answer logs in once
    outcome = transaction.outcome
    if "verified" in outcome:
        try:
            log_in(request, VerifiedIdentity(**outcome["verified"]))
        except Refused as error:  # a suspended identity: log_in has recorded it
            messages.error(request, message(error_code_for(error, METHOD)))
            return reverse("portal:login-wallet")
        return after_login_url(request)
    error_class = _ERRORS.get(str(outcome.get("error")), base.BadResponse)
    reason = str(outcome.get("reason", ""))
    failure = Refused(reason) if error_class is Refused else error_class(reason=reason)
    return _failed(request, failure)


def _failed(request: HttpRequest, error: EidError) -> str:
    record_failure(request, METHOD, error)
    messages.error(request, message(error_code_for(error, METHOD)))
    return reverse("portal:login-wallet")
