"""Security headers beyond Django's own: the Content-Security-Policy (served by django-csp, Django 5.2 has none)
and Permissions-Policy. Imported by settings.py, so nothing here touches Django's setup.

The policy is strict: scripts and styles only from our own origin, no inline script or style attribute anywhere
(HTMX's own indicator style is switched off by the `htmx-config` meta tag in the base templates and lives in
portal.css), no framing. The simulators' pages run under the same policy: they were written to comply.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

NONE = "'none'"
SELF = "'self'"

# Features the portal never uses: a page that is ever injected cannot ask for them either.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)


def origin_of(url: str) -> str | None:
    """scheme://host[:port] of an absolute http(s) URL; None for a relative or empty one."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(
    *,
    form_targets: Iterable[str] = (),
    image_sources: Iterable[str] = (),
    font_sources: Iterable[str] = (),
    upgrade: bool = False,
    report_uri: str = "",
) -> dict[str, object]:
    """django-csp's CONTENT_SECURITY_POLICY setting.

    `form_targets` are the outside addresses a form of ours may post to or be redirected to after a post (the
    banks' login pages, eParaksts' authorisation endpoint): `form-action` covers redirects in Chromium.
    `image_sources` allows a brand logo hosted elsewhere, `font_sources` a brand typeface hosted elsewhere. The
    Smart-ID QR code is an inline SVG `data:` image.
    `report_uri`, when set, is where browsers report violations (a collector of the operator's choice).
    """
    forms = sorted({o for o in (origin_of(u) for u in form_targets) if o})
    images = sorted({o for o in (origin_of(u) for u in image_sources) if o})
    fonts = sorted({o for o in (origin_of(u) for u in font_sources) if o})
    directives: dict[str, object] = {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", *images],
        "font-src": [SELF, *fonts],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "form-action": [SELF, *forms],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
    if upgrade:
        directives["upgrade-insecure-requests"] = True
    if report_uri:
        directives["report-uri"] = [report_uri]
    return {"DIRECTIVES": directives}


class PermissionsPolicyMiddleware:
    """Adds Permissions-Policy (Django has no setting for it); a view's own header wins."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
