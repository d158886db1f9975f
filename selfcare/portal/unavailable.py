"""A 503 page, translated, when the database or Redis is gone: a clear message instead of a stack trace.

Django turns any uncaught exception into the 500 handler's response; this handler looks at the exception being
handled and answers "503, try again" with `Retry-After` when the cause is a service that went away (the database
restarting, Redis down or hanging), and Django's own 500 otherwise. The page is rendered without the request's
context processors and without touching the session or the database: those are what failed.

Nothing is committed half-way when this happens: every write that must be whole runs in one transaction, and a
transaction whose connection died is rolled back by the server. The next request opens a new connection
(`CONN_HEALTH_CHECKS`), so the portal recovers by itself when the service is back.

Only in production (DEBUG off): with DEBUG on, Django shows its technical page instead, which is what a developer
wants.
"""

from __future__ import annotations

import logging
import sys

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views import defaults

from selfcare.errors import ErrorCode, message
from selfcare.outages import RETRY_AFTER_SECONDS, SERVICE_GONE

logger = logging.getLogger(__name__)


def unavailable_response() -> HttpResponse:
    page = render_to_string("portal/unavailable.html", {"message": message(ErrorCode.SERVICE_UNAVAILABLE)})
    response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """`handler500`: a 503 with a translated message when a service is gone, Django's 500 otherwise."""
    error = sys.exc_info()[1]
    if isinstance(error, SERVICE_GONE):
        logger.warning("service unavailable: %s", type(error).__name__)
        return unavailable_response()
    return defaults.server_error(request)
