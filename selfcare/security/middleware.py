"""Ends a browser's login once it was ended from another browser, notes activity, hands out device cookies."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from selfcare.errors import ErrorCode, message
from selfcare.security.devices import set_device_cookie
from selfcare.security.sessions import still_open


class SessionRegistryMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and not still_open(request):
            # logout() flushes the session: its data is deleted on the server, the cookie is worthless.
            logout(request)
            messages.info(request, message(ErrorCode.SESSION_EXPIRED))
        response = self.get_response(request)
        set_device_cookie(request, response)
        return response
