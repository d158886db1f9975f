"""Where a login returns to: the page that sent the person to log in (`/login/?next=…`), or the dashboard.

The OpenID provider's authorization endpoint is the main user of `next`: an app's login runs through these
pages and must come back to it. Only a path on this site is kept (never another host: an open redirect would
hand the person, freshly logged in, to whoever built the link).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

SESSION_NEXT = "login.next"


def remember_next(request: HttpRequest) -> None:
    """Keep `?next=` for after the login, if it is a path on this site; a login without one forgets any older."""
    target = request.GET.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        request.session[SESSION_NEXT] = target
    else:
        request.session.pop(SESSION_NEXT, None)


def after_login_url(request: HttpRequest) -> str:
    """The remembered page (once), or the dashboard. Django's login keeps session data when nobody was logged in
    before, so what `remember_next` kept survives the new session identifier."""
    target = request.session.pop(SESSION_NEXT, "")
    return target if isinstance(target, str) and target else reverse("portal:dashboard")
