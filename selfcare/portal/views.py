"""Public pages of the portal: the landing page, the brand stylesheet, and liveness and readiness checks."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe

from selfcare.access.web import public_page
from selfcare.background.selectors import queue_ready
from selfcare.config import first_font_family

logger = logging.getLogger(__name__)


@require_safe
@public_page
def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/landing.html")


@require_safe
@never_cache
@public_page
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers requests. Nothing outside it is asked, so a database outage does not make an
    orchestrator restart every web process at once (that is what /readyz is for)."""
    return JsonResponse({"status": "ok"})


@require_safe
@never_cache
@public_page
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness for a load balancer: 200 when the database, the cache and the task queue answer, else 503.

    Each part is only "up" or "down": what failed and why goes to the log, never to the caller (the endpoint is
    public, and an error text could name hosts or users).
    """
    checks = {"database": _database_up(), "cache": _cache_up(), "tasks": queue_ready()}
    ready = all(checks.values())
    body = {"status": "ok" if ready else "unavailable", **{k: "up" if up else "down" for k, up in checks.items()}}
    return JsonResponse(body, status=200 if ready else 503)


def _database_up() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("readiness: database unavailable", exc_info=True)
        return False
    return True


def _cache_up() -> bool:
    try:
        cache.set(READINESS_KEY, "1", timeout=10)
        return bool(cache.get(READINESS_KEY) == "1")
    except Exception:  # a cache backend's errors have no common base class (redis, memcached, …)
        logger.warning("readiness: cache unavailable", exc_info=True)
        return False


READINESS_KEY = "selfcare:readyz"


@require_safe
@cache_control(public=True, max_age=3600)
@public_page
def brand_css(request: HttpRequest) -> HttpResponse:
    """The brand's colours and typeface as CSS custom properties: a stylesheet, so pages need no inline styles
    (CSP). The values were checked at start (selfcare.config.validate_brand): colours, contrast, a font list."""
    brand = settings.BRAND
    font = f" --brand-font: {brand.font_family};" if brand.font_family else ""
    css = f":root {{ --brand-primary: {brand.primary_colour}; --brand-accent: {brand.accent_colour};{font} }}\n"
    if brand.font_url:  # the typeface's file, so it need not be installed on the reader's device
        kind = "woff2" if brand.font_url.endswith(".woff2") else "woff"
        css += (
            f'@font-face {{ font-family: "{first_font_family(brand.font_family)}"; '
            f'src: url("{brand.font_url}") format("{kind}"); font-display: swap; }}\n'
        )
    return HttpResponse(css, content_type="text/css; charset=utf-8")
