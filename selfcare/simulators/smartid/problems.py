"""RFC 9457 problem details, the error format of SK's RP API v3."""

from __future__ import annotations

from http import HTTPStatus

from django.http import JsonResponse

# SK's own status codes, which are not in the HTTP registry.
_SK_TITLES = {471: "No suitable account", 472: "Person should view app", 480: "Client too old", 580: "Maintenance"}


class Problem(Exception):
    """Raised inside the API to answer with a problem document; ``detail`` says what to fix."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


def problem_response(status: int, detail: str) -> JsonResponse:
    title = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else _SK_TITLES.get(status, "Error")
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    return JsonResponse(body, status=status, content_type="application/problem+json")
