"""Login with a bank: our signed form goes to the bank, the bank's signed answer comes back here.

- ``start`` (GET): a button to go on; (POST, CSRF-protected) issues the nonce and renders our signed form with a
  visible "Continue to <bank>" button posting to the bank. No script submits it: the strict CSP allows none.
- ``answer`` (POST from the bank, ``csrf_exempt``): the bank posts cross-site, so it has no CSRF token and our
  ``SameSite=Lax`` session cookie does not come with it. Protection comes instead from the bank's signature,
  the nonce it echoes (single use, fresh) and the dedicated browser-binding cookie; see
  ``selfcare/identity/methods/banklink/nonces.py`` for why and how. Success rotates the session
  (``log_in``), so a session that did or did not arrive with the POST is never kept.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from selfcare.access.web import public_page
from selfcare.errors import message
from selfcare.identity.messages import error_code_for
from selfcare.identity.methods.banklink import citadele, nonces, signed_form
from selfcare.identity.methods.banklink.profiles import CitadeleProfile, bank_profile
from selfcare.identity.methods.base import EidError
from selfcare.identity.services import record_failure
from selfcare.login_flow import log_in
from selfcare.portal.login.limits import LIMIT_BY_ADDRESS
from selfcare.security.ratelimit.web import rate_limited

SESSION_PENDING = "banklink.pending"
# The banks; the login page posts straight to their start (one portal page before the bank, not two).
BANKS = ("swedbank", "seb", "citadele", "luminor")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@public_page
@rate_limited(LIMIT_BY_ADDRESS)
def start(request: HttpRequest, bank: str) -> HttpResponse:
    profile = bank_profile(bank)
    if request.method != "POST":
        return render(request, "portal/login/banklink_start.html", {"bank": profile.name, "key": bank})
    issued = nonces.issue(bank, max_age_seconds=profile.max_age_seconds)
    return_url = request.build_absolute_uri(reverse(f"portal:login-{bank}-answer"))
    if isinstance(profile, CitadeleProfile):
        fields = {"xmldata": citadele.request_xmldata(profile, nonce=issued.nonce, return_url=return_url)}
    else:
        fields = signed_form.request_fields(profile, nonce=issued.nonce, return_url=return_url)
    request.session[SESSION_PENDING] = {"bank": bank, "nonce": issued.nonce, "created_at": issued.created_at}
    response = render(
        request, "portal/login/banklink_go.html", {"bank": profile.name, "url": profile.url, "fields": fields}
    )
    response.set_cookie(
        nonces.COOKIE,
        issued.browser_secret,
        max_age=profile.max_age_seconds,
        httponly=True,
        # Sent with the bank's cross-site POST only when SameSite=None, which browsers accept only with Secure.
        secure=settings.SELFCARE_HTTPS,
        samesite="None" if settings.SELFCARE_HTTPS else "Lax",
    )
    return response


@csrf_exempt
@require_POST
@public_page
def answer(request: HttpRequest, bank: str) -> HttpResponse:
    profile = bank_profile(bank)
    secret = request.COOKIES.get(nonces.COOKIE, "")
    try:
        if isinstance(profile, CitadeleProfile):
            verified = citadele.complete(profile, request.POST.get("xmldata", ""), browser_secret=secret)
        else:
            verified = signed_form.complete(profile, request.POST.dict(), browser_secret=secret)
        log_in(request, verified)
    except EidError as error:
        request.session.pop(SESSION_PENDING, None)
        record_failure(request, bank, error)
        messages.error(request, message(error_code_for(error)))
        response = redirect("portal:login")
    else:
        # The nonce was checked against the server-side record and the browser cookie; the session's copy
        # (there only when the session cookie came along) died with the rotated session.
        response = redirect("portal:dashboard")
    response.delete_cookie(nonces.COOKIE, samesite="None" if settings.SELFCARE_HTTPS else "Lax")
    return response
