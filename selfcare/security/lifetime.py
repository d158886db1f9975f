"""Session lifetime (SECURITY.md 7.3.1, 7.3.2): an idle timeout and an absolute one, enforced on the server.

Staff sessions have a shorter idle timeout (SECURITY.md "Staff"): a session counts as staff once it opened the
back office (the back office marks it, `SESSION_STAFF`), and every request to the back office is measured by it.

The session cookie's own age is only a hint to the browser; this middleware is what ends a session. It lives in
security, beside the session registry it ends a row of, above identity (which only starts sessions).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from selfcare.errors import ErrorCode, message
from selfcare.identity.services import SESSION_LAST_SEEN, SESSION_LOGIN_AT
from selfcare.security.models import EndReason
from selfcare.security.sessions import end_current

SESSION_STAFF = "backoffice.staff"
STAFF_PATH = "/backoffice/"
# Writing the session on every request would make each page a database write; a minute's granularity is plenty.
_TOUCH_INTERVAL_SECONDS = 60


class SessionLifetimeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            login_at = request.session.setdefault(SESSION_LOGIN_AT, now)
            last_seen = request.session.setdefault(SESSION_LAST_SEEN, now)
            idle = now - last_seen > self.idle_limit(request)
            too_old = now - login_at > settings.SESSION_ABSOLUTE_TIMEOUT_SECONDS
            if idle or too_old:
                end_current(request, EndReason.EXPIRED)
                logout(request)
                messages.info(request, message(ErrorCode.SESSION_EXPIRED))
            elif now - last_seen > _TOUCH_INTERVAL_SECONDS:
                request.session[SESSION_LAST_SEEN] = now
        return self.get_response(request)

    @staticmethod
    def idle_limit(request: HttpRequest) -> int:
        if request.session.get(SESSION_STAFF) or request.path.startswith(STAFF_PATH):
            return min(settings.STAFF_SESSION_IDLE_TIMEOUT_SECONDS, settings.SESSION_IDLE_TIMEOUT_SECONDS)
        return int(settings.SESSION_IDLE_TIMEOUT_SECONDS)
