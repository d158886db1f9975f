"""Public pages of the portal: the landing page, the brand stylesheet and the health check."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe

from selfcare.access.web import public_page
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
    """200 when the database answers a query, 503 when it does not (for load balancers and orchestrators)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("health check: database unavailable", exc_info=True)
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


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
