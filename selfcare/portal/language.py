"""Switching the page language.

Django's `set_language` translates the `next` address by resolving it in the request's language; with Latvian
unprefixed and English/Russian under /en/ and /ru/, a switch from /en/… to /ru/… resolves nothing and stays put.
This view does the one thing needed: take the prefix off the address and put the chosen language's on.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from selfcare.access.web import public_page

ONE_YEAR = 365 * 24 * 3600


def localised_path(path: str, language: str) -> str:
    """`path` (any language's) as it reads in `language`: "/en/login/" → "/ru/login/" or "/login/"."""
    for code, _name in settings.LANGUAGES:
        if code != settings.LANGUAGE_CODE and (path == f"/{code}/" or path.startswith(f"/{code}/")):
            path = path[len(code) + 1 :]
            break
    return path if language == settings.LANGUAGE_CODE else f"/{language}{path}"


@require_POST
@public_page
def switch_language(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) or not target.startswith("/"):
        target = "/"
    if language not in dict(settings.LANGUAGES):
        return HttpResponseRedirect(target)
    path, _, query = target.partition("?")
    localised = localised_path(path, language)
    try:
        with translation.override(language):  # a language prefix resolves only while that language is active
            resolve(localised)
    except Resolver404:
        localised = path  # an address outside the translated pages keeps its form
    response = HttpResponseRedirect(localised + (f"?{query}" if query else ""))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=ONE_YEAR,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        samesite="Lax",
        httponly=True,
    )
    return response
