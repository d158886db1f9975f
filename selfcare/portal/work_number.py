"""Adding a work number: the person enters the number, a one-time code goes to it by SMS, they enter the code.

Also "the one more step after login": a person with no context at all is sent here from the dashboard once per
session, and may skip it. The pages only parse input and call selfcare.binding.services.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from selfcare.access.web import identity_page
from selfcare.binding.services import binding_confirm, binding_start
from selfcare.identifiers.msisdn import format_msisdn, parse_msisdn
from selfcare.portal.forms import OneTimeCodeForm, WorkNumberForm
from selfcare.security.ratelimit.web import client_address, rate_limited

# The binding's own limits count per person and per number (selfcare/binding/otp.py, exact and transactional);
# this one stops a single address from cycling through many people's sessions.
_BY_ADDRESS = ("otp-address", client_address)

SESSION_STEP_OFFERED = "binding.step_offered"
SESSION_NUMBER = "binding.number"


def first_login_step(request: HttpRequest, *, has_context: bool) -> HttpResponse | None:
    """The redirect to the work-number step, the first time in this session the person without any context
    opens the dashboard; None otherwise (then and on every later visit of the session)."""
    if request.session.get(SESSION_STEP_OFFERED):
        return None
    request.session[SESSION_STEP_OFFERED] = True
    if has_context:
        return None
    return redirect(reverse("portal:work-number") + "?first=1")


@require_http_methods(["GET", "POST"])
@identity_page
@rate_limited(_BY_ADDRESS)
def start(request: HttpRequest) -> HttpResponse:
    form = WorkNumberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["number"]
        try:
            binding_start(request=request, identity=request.identity, number_text=number)  # type: ignore[attr-defined]
        except ValidationError as error:
            form.add_error(None, error)
        else:
            request.session[SESSION_NUMBER] = format_msisdn(parse_msisdn(number))
            return redirect("portal:work-number-confirm")
    return render(
        request,
        "portal/work_number/start.html",
        # In the demo, `demo_number` comes from its context processor (selfcare/demo/hints.py).
        {"form": form, "first": "first" in request.GET},
    )


@require_http_methods(["GET", "POST"])
@identity_page
@rate_limited(_BY_ADDRESS)
def confirm(request: HttpRequest) -> HttpResponse:
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            binding_confirm(request=request, identity=request.identity, code_text=form.cleaned_data["code"])  # type: ignore[attr-defined]
        except ValidationError as error:
            form.add_error(None, error)
        else:
            request.session.pop(SESSION_NUMBER, None)
            return redirect("portal:dashboard")
    return render(
        request, "portal/work_number/confirm.html", {"form": form, "number": request.session.get(SESSION_NUMBER, "")}
    )
