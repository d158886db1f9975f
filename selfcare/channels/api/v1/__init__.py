"""Version 1 of the app API. Each resource is a router module; this table is the one place they are mounted.

To add a resource: write `selfcare/channels/api/v1/<resource>.py` with a `router`
whose operations name their scope (`auth=auth.BearerToken("<scope>")`, the scope added to settings'
OAUTH2_PROVIDER["SCOPES"]) and call selfcare.access for every object, then add a line here.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Router

from selfcare.channels.api.v1 import (
    bills,
    bindings,
    contexts,
    mandates,
    me,
    new_connections,
    offers,
    orders,
    spend,
    usage,
)

ROUTERS: tuple[tuple[str, Router], ...] = (
    ("me", me.router),
    ("contexts", contexts.router),
    ("contexts", usage.router),
    ("contexts", offers.router),
    ("contexts", mandates.router),
    ("contexts", orders.router),
    ("contexts", bills.router),
    ("contexts", spend.router),
    ("offer-claims", offers.claims_router),
    ("bindings", bindings.router),
    ("new-connections", new_connections.router),
)


def register(api: NinjaAPI) -> None:
    for prefix, router in ROUTERS:
        api.add_router(f"/v1/{prefix}", router)

    def claim_refused(request: HttpRequest, error: Any) -> HttpResponse:
        return api.create_response(request, offers.refusal_body(error.refused), status=409)

    api.add_exception_handler(offers.ClaimRefusal, claim_refused)
