"""The app's JSON API (django-ninja), mounted at /api/: operations under /api/v1/, the OpenAPI document at
/api/openapi.json. Bearer tokens come from the OpenID provider (selfcare.channels.oidc)."""

from __future__ import annotations

from ninja import NinjaAPI

from selfcare.channels.api import errors, v1


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title="Mans Tele2 app API",
        version="1",
        description="The person's contexts, connections and number binding, as the portal shows them.",
        urls_namespace="api",
        openapi_url="/openapi.json",
        docs_url=None,  # Swagger UI loads scripts from a CDN; the document itself is what clients need
    )
    errors.install(api)
    v1.register(api)
    return api


api = build_api()
