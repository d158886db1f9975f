"""The token endpoint taken out of the portal's middleware chain.

`/oauth/token/` is called by apps, never by a browser page: it reads no session, no language, no CSRF token (the
library's view is CSRF-exempt: a client authenticates with its own parameters), sets no cookie and returns JSON, not
a page for CSP or frame options to guard. Every app refreshes every few minutes, so the twelve middlewares after
this one (session, locale, common, CSRF, authentication, messages, session lifetime and registry, frame options,
HTMX, CSP, permissions policy) were a fifth of its time for nothing. Placed after the client-address and security
middlewares, which it does need: the real address for the audit trail, and HTTPS redirect and HSTS like every
other response; and the Host is still checked against ALLOWED_HOSTS, as CommonMiddleware would. Other paths pass
through untouched.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

TOKEN_PATH = "/oauth/token/"  # noqa: S105 - a path, not a secret


class TokenEndpointMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        from selfcare.channels.oidc.views import TokenView

        self.get_response = get_response
        self.token = TokenView.as_view()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == TOKEN_PATH:
            # CommonMiddleware, left out, is where every other request's Host is checked against ALLOWED_HOSTS.
            request.get_host()
            return self.token(request)  # type: ignore[no-any-return]
        return self.get_response(request)
