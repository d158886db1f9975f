"""The access rules as view decorators. Every view of the portal declares one of them; a test walks all routes
and fails on a view that declares none (deny by default also for the code base).

- `public_page` — anyone, logged in or not (the landing page, login pages);
- `identity_page` — a logged-in digital identity; `request.identity` is set;
- `context_page` — a logged-in identity acting in the context named by the URL's `context` argument, which must
  be one of theirs today; `request.acting` is set. Anything else is 404, exactly like a page that does not exist;
  only the person whose own rights to that context ended lately reads why, and since when (`recently_ended`).
  A `NotFound` the view raises (a `require_*` of selfcare.access refusing a thing within the context) is a 404 too.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from selfcare.access.contexts import NotFound, recently_ended, resolve_context
from selfcare.identity.selectors import identity_of

View = TypeVar("View", bound=Callable[..., HttpResponse])
POLICY_ATTRIBUTE = "access_policy"


def _mark(view: Any, policy: str) -> None:
    setattr(view, POLICY_ATTRIBUTE, policy)


def public_page(view: View) -> View:
    _mark(view, "public")
    return view


def identity_page(view: View) -> View:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        identity = identity_of(request.user)
        if identity is None:
            return redirect_to_login(request.get_full_path())
        request.identity = identity  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    _mark(wrapper, "identity")
    return wrapper  # type: ignore[return-value]


def context_page(view: View) -> View:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, context: str, **kwargs: Any) -> HttpResponse:
        identity = identity_of(request.user)
        if identity is None:
            return redirect_to_login(request.get_full_path())
        try:
            acting = resolve_context(identity, context)
        except NotFound:
            ended = recently_ended(identity, context)
            if ended is None:
                raise Http404 from None
            request.identity = identity  # type: ignore[attr-defined]
            return render(request, "portal/rights_ended.html", {"ended": ended}, status=404)
        request.identity = identity  # type: ignore[attr-defined]
        request.acting = acting  # type: ignore[attr-defined]
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            # What the access module refuses within the context (a connection, an order, a bill that is not in it)
            # is a 404 like a page that does not exist: the views call require_* and need not translate it.
            raise Http404 from None

    _mark(wrapper, "context")
    return wrapper  # type: ignore[return-value]
