"""The login page, logout, the person's identity page, and the retired password login."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from selfcare.access.web import identity_page, public_page
from selfcare.audit.services import record
from selfcare.identity.methods.registry import METHODS, method_label
from selfcare.identity.selectors import identity_of, national_identifiers, recent_authentications
from selfcare.identity.services import SESSION_LEVEL, SESSION_METHOD
from selfcare.login_flow import log_out
from selfcare.portal.login.banklink import BANKS
from selfcare.portal.login.next_page import remember_next

# Assurance levels as the methods report them, named for people.
LEVELS = {"qualified": _("qualified"), "advanced": _("advanced"), "high": _("high"), "substantial": _("substantial")}


@require_safe
@public_page
def login_page(request: HttpRequest) -> HttpResponse:
    remember_next(request)
    return render(request, "portal/login/login.html", {"methods": METHODS, "banks": BANKS})


@require_safe
@public_page
def password_login_retired(request: HttpRequest) -> HttpResponse:
    """The old phone-number-and-password address: explain the change instead of a form."""
    return render(request, "portal/login/password_retired.html", {"methods": METHODS}, status=410)


@require_POST
@public_page
def logout_view(request: HttpRequest) -> HttpResponse:
    identity = identity_of(request.user)
    if identity is not None:
        record(request, "identity:session:logout", identity=identity)
    log_out(request)
    return redirect("portal:landing")


@require_safe
@identity_page
def me(request: HttpRequest) -> HttpResponse:
    identity = request.identity  # type: ignore[attr-defined]
    return render(
        request,
        "portal/login/me.html",
        {
            "identity": identity,
            "method": method_label(request.session.get(SESSION_METHOD, "")),
            "level": LEVELS.get(request.session.get(SESSION_LEVEL, ""), request.session.get(SESSION_LEVEL, "")),
            "authentications": recent_authentications(identity),
            "codes": national_identifiers(identity),  # EE 49005120274: the country plainly, a Latvian code bare
        },
    )
