"""The API's one error shape (STYLE.md): `{"errors": [{"code", "message", "field"}]}` with the HTTP status, for
refusals, validation and the domain's own ValidationErrors alike. Codes and messages come from selfcare.errors."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from selfcare.errors import ErrorCode, message


class ErrorItem(Schema):
    code: str
    message: str
    field: str | None = None


class Errors(Schema):
    errors: list[ErrorItem]


class ApiError(Exception):
    def __init__(self, status: int, code: ErrorCode, field: str | None = None, *, text: str = "") -> None:
        """`text`, when given, is the message instead of the code's general one (already translated)."""
        super().__init__(code)
        self.status, self.code, self.field, self.text = status, code, field, text


class TooManyCalls(Exception):
    """Over the per-token limit (RATE_LIMITS["api-token"]): the 429 answer, with Retry-After, is ready."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__("api-token")
        self.response = response


def not_found() -> ApiError:
    return ApiError(404, ErrorCode.NOT_FOUND)


# Common answers every operation may give, for the OpenAPI document.
REFUSALS: dict[int, Any] = {401: Errors, 403: Errors, 404: Errors, 422: Errors, 429: Errors}


def _body(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"errors": items}


def item(code: ErrorCode | str, text: str, field: str | None = None) -> dict[str, Any]:
    return {"code": str(code), "message": text, "field": field}


def install(api: NinjaAPI) -> None:
    def refused(request: HttpRequest, error: Any) -> HttpResponse:
        response = api.create_response(
            request, _body([item(error.code, error.text or message(error.code), error.field)]), status=error.status
        )
        if error.status == 401:
            response["WWW-Authenticate"] = 'Bearer error="invalid_token"'
        elif error.status == 403 and error.code == ErrorCode.INSUFFICIENT_SCOPE:
            response["WWW-Authenticate"] = 'Bearer error="insufficient_scope"'
        return response

    def unauthenticated(request: HttpRequest, error: Any) -> HttpResponse:
        return refused(request, ApiError(401, ErrorCode.UNAUTHENTICATED))

    def invalid(request: HttpRequest, error: Any) -> HttpResponse:
        items = [
            item(ErrorCode.INVALID_INPUT, message(ErrorCode.INVALID_INPUT), ".".join(str(p) for p in e["loc"][1:]))
            for e in error.errors
        ]
        return api.create_response(request, _body(items), status=422)

    def domain(request: HttpRequest, error: Any) -> HttpResponse:
        return api.create_response(request, _body(validation_items(error)), status=422)

    def http_error(request: HttpRequest, error: Any) -> HttpResponse:
        code = ErrorCode.NOT_FOUND if error.status_code == 404 else ErrorCode.INVALID_INPUT
        return api.create_response(request, _body([item(code, message(code))]), status=error.status_code)

    def too_many(request: HttpRequest, error: Any) -> HttpResponse:
        return error.response  # type: ignore[no-any-return]

    api.add_exception_handler(ApiError, refused)
    api.add_exception_handler(TooManyCalls, too_many)
    api.add_exception_handler(AuthenticationError, unauthenticated)
    api.add_exception_handler(NinjaValidationError, invalid)
    api.add_exception_handler(ValidationError, domain)
    api.add_exception_handler(HttpError, http_error)


def validation_items(error: ValidationError) -> list[dict[str, Any]]:
    """A Django ValidationError from a service, field by field, each with its code and translated message."""
    if hasattr(error, "error_dict"):
        return [
            item(e.code or ErrorCode.INVALID_INPUT, " ".join(e.messages), field)
            for field, errors in error.error_dict.items()
            for e in errors
        ]
    return [item(e.code or ErrorCode.INVALID_INPUT, " ".join(e.messages)) for e in error.error_list]
