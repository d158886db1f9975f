"""Rate limits at the edge: a view decorator for pages and the JSON answer for the app API."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from selfcare.errors import ErrorCode, message
from selfcare.outages import RETRY_AFTER_SECONDS, SERVICE_GONE
from selfcare.security.ratelimit.core import RateLimited, hit

View = TypeVar("View", bound=Callable[..., HttpResponse])
Subject = Callable[[HttpRequest], str | None]


def client_address(request: HttpRequest) -> str:
    """The client's address as the server sees it (behind a proxy, REMOTE_ADDR must be set by the proxy layer)."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def too_many_requests(request: HttpRequest, error: RateLimited) -> HttpResponse:
    """The page a person sees over a limit: what happened, when to try again; status 429 with Retry-After."""
    response = render(
        request,
        "security/rate_limited.html",
        {"message": message(ErrorCode.RATE_LIMITED), "retry_minutes": max(1, -(-error.retry_after // 60))},
        status=429,
    )
    response["Retry-After"] = str(error.retry_after)
    return response


def api_too_many_requests(error: RateLimited) -> JsonResponse:
    """The app API's answer over a limit, in its error format (selfcare/errors.py)."""
    response = JsonResponse(
        {"errors": [{"code": ErrorCode.RATE_LIMITED.value, "message": message(ErrorCode.RATE_LIMITED), "field": None}]},
        status=429,
    )
    response["Retry-After"] = str(error.retry_after)
    return response


def rate_limited(*limits: tuple[str, Subject], methods: tuple[str, ...] = ("POST",)) -> Callable[[View], View]:
    """Count each request of these methods against each (limit name, subject of the request) pair.

    A subject function returning None (nothing to count on, e.g. no personal code typed) skips that limit.
    Usage: `@rate_limited(("upload-identity", lambda r: str(r.identity.pk)))` under the access decorator.
    """

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method in methods:
                try:
                    for name, subject_of in limits:
                        subject = subject_of(request)
                        if subject is not None:
                            hit(name, subject)
                except RateLimited as error:
                    return too_many_requests(request, error)
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def api_service_unavailable() -> JsonResponse:
    """The app API's answer when the counters cannot be reached: refused (never served uncounted), in its JSON
    error format rather than the portal's HTML 503 page."""
    code = ErrorCode.SERVICE_UNAVAILABLE
    response = JsonResponse({"errors": [{"code": code.value, "message": message(code), "field": None}]}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def api_hit(token_id: str) -> JsonResponse | None:
    """For the app API: count one call of this token; the 429 answer when over `api-token`, the 503 answer when
    the counters' store is gone, else None."""
    try:
        hit("api-token", token_id)
    except RateLimited as error:
        return api_too_many_requests(error)
    except SERVICE_GONE:
        return api_service_unavailable()
    return None
