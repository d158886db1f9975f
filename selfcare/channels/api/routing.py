"""The app API taken out of the portal's page middlewares, as the token endpoint is (selfcare/channels/oidc/routing.py).

`/api/` is called by apps with a bearer token: it reads no session, no portal login, no CSRF token (django-ninja's
views are CSRF-exempt, and a bearer token is not sent by a browser on its own), no flash messages and no HTMX
headers. Every remaining-data call went through ten page middlewares for nothing. This middleware, placed right after
the token endpoint's, resolves an `/api/` path and calls its view itself, keeping what the API does need:

- the client address and the security middleware's headers and HTTPS redirect (both placed before this one);
- the Host checked against ALLOWED_HOSTS, as CommonMiddleware would, and Content-Length, which it would also set;
- the language of the translated error messages: the app's Accept-Language (else Latvian, the default). The
  portal's LocaleMiddleware gave every unprefixed path Latvian, whatever the app asked for, which is not what the
  API's documentation promises (`reason`: "in the language the app asked for");
- the page headers a JSON answer still wants: X-Frame-Options, Permissions-Policy and a Content-Security-Policy
  that allows nothing (an answer is data, never a page that loads anything).

The bearer token's check, its rate limit and every access decision stay in the views (selfcare.channels.api.auth,
selfcare.access), the audit trail reads the client address from REMOTE_ADDR as before. A path under `/api/` that no
operation matches goes on through the full chain, so its 404 is the portal's, as before.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, get_resolver
from django.utils import translation
from django.utils.cache import patch_vary_headers

from selfcare.security.headers import PERMISSIONS_POLICY

API_PATH = "/api/"
# An API answer is JSON (or a document to download): nothing in it may load, run or frame anything.
API_CONTENT_SECURITY_POLICY = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"


class ApiMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(API_PATH):
            return self.get_response(request)
        # CommonMiddleware, left out, is where every other request's Host is checked against ALLOWED_HOSTS.
        request.get_host()
        language = translation.get_language_from_request(request)
        translation.activate(language)
        try:
            request.LANGUAGE_CODE = translation.get_language()
            try:
                match = get_resolver().resolve(request.path_info)
            except Resolver404:
                return self.get_response(request)
            request.resolver_match = match
            response: HttpResponse = match.func(request, *match.args, **match.kwargs)
            return _finish(response, language)
        finally:
            translation.deactivate()


def _finish(response: HttpResponse, language: str) -> HttpResponse:
    patch_vary_headers(response, ("Accept-Language",))
    headers = response.headers
    headers.setdefault("Content-Language", language)
    headers.setdefault("Content-Security-Policy", API_CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    if not response.streaming and "Content-Length" not in headers:
        headers["Content-Length"] = str(len(response.content))
    return response
