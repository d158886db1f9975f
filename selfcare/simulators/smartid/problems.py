"""RFC 9457 problem details, the error format of SK's RP API v3."""

from __future__ import annotations

from http import HTTPStatus

from django.http import JsonResponse


class Problem(Exception):
    """Raised inside the API to answer with a problem document; ``detail`` says what to fix."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def problem_response(status: int, detail: str) -> JsonResponse:
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail}
    return JsonResponse(body, status=status, content_type="application/problem+json")
