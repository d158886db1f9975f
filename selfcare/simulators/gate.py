"""Defence in depth for the demo switch: every simulator view answers 404 unless ``SELFCARE_DEMO`` is on.

The URLs are mounted only in demo mode already (selfcare/urls.py); this holds even if a URLconf mounts them by
mistake, or settings change after the URLconf was loaded.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec

from django.conf import settings
from django.http import Http404, HttpResponse

P = ParamSpec("P")


def demo_only(view: Callable[P, HttpResponse]) -> Callable[P, HttpResponse]:
    @functools.wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if not getattr(settings, "SELFCARE_DEMO", False):
            raise Http404("simulators are available only in demo mode")
        return view(*args, **kwargs)

    return wrapped
