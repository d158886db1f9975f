"""Answers built as plain dicts and rendered as django-ninja renders a response model's dump: for the hot reads
(remaining data, a page of connections), where building and validating a pydantic model per object was a tenth of
a call. The operation keeps its response models for the OpenAPI document; a test per operation checks that the
answer is byte for byte what its model renders."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja.renderers import JSONRenderer

# NinjaAPI's default renderer (selfcare.channels.api.build_api sets no other).
JSON = JSONRenderer()
JSON_CONTENT_TYPE = f"{JSON.media_type}; charset={JSON.charset}"


def json_response(request: HttpRequest, body: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(
        JSON.render(request, body, response_status=status), status=status, content_type=JSON_CONTENT_TYPE
    )
