"""The usage feed API for the operator's mediation system (not for the app): `POST /feeds/v1/usage-events`.

Authenticated by a bearer feed key (selfcare.usage.feedkeys). One request is one batch: bad events are reported
per index with a reason and left out, the good ones are applied in one transaction, replays change nothing
(docs/usage-format.md). No cookies and no CSRF: a machine calls it with its key.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from selfcare.errors import MESSAGES, ErrorCode
from selfcare.usage.feedkeys import feed_key_check
from selfcare.usage.ingest import COUNTRY, FIELDS, EventRow, Rejected, ingest, row_parser
from selfcare.usage.models import FeedKey


class FeedKeyAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> FeedKey | None:
        return feed_key_check(token)


api = NinjaAPI(
    title="selfcare usage feed",
    version="1",
    urls_namespace="feeds",
    auth=FeedKeyAuth(),
    docs_url=None,
)


class ErrorItem(Schema):
    code: str
    message: str
    field: str | None = None


class Errors(Schema):
    """Every error of the feed, whatever went wrong: the same shape as the app API's (STYLE.md "Errors")."""

    errors: list[ErrorItem]


def _item(code: ErrorCode, field: str | None = None, params: dict[str, object] | None = None) -> dict[str, object]:
    text = str(MESSAGES[code]) % params if params else str(MESSAGES[code])
    return {"code": code.value, "message": text, "field": field}


def _errors(request: HttpRequest, code: ErrorCode, status: int, **params: object) -> HttpResponse:
    return api.create_response(request, {"errors": [_item(code, params=params)]}, status=status)


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _errors(request, ErrorCode.FEED_KEY_INVALID, 401)


@api.exception_handler(NinjaValidationError)
def malformed(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    # The field as the sender wrote it ("events.2"), without Django Ninja's own prefix ("body.batch.").
    fields = [".".join(map(str, e.get("loc", ())[2:])) or "events" for e in exc.errors]
    errors = [_item(ErrorCode.FEED_BODY_INVALID, field) for field in dict.fromkeys(fields)]
    return api.create_response(request, {"errors": errors}, status=422)


@api.exception_handler(HttpError)
def unreadable(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # Django Ninja's parser answers a body it cannot read (not UTF-8, not JSON) with its own text; only 400 is
    # raised that way here.
    return _errors(request, ErrorCode.FEED_BODY_UNREADABLE, 400)


class Batch(Schema):
    events: list[dict[str, Any]]


class RejectedOut(Schema):
    index: int
    event_id: str
    code: str
    message: str


class BatchResult(Schema):
    received: int
    recorded: int
    duplicates: int
    rejected: list[RejectedOut]


def _values(event: dict[str, Any]) -> list[str]:
    """The event's fields in the file format's order; a missing field makes the row the wrong shape. The optional
    country comes last, and only after all six (so it never stands in for a missing one)."""
    values = [str(event[name]) for name in FIELDS if name in event and event[name] is not None]
    if len(values) == len(FIELDS) and event.get(COUNTRY) is not None:
        values.append(str(event[COUNTRY]))
    return values


@api.post(
    "/usage-events",
    response={200: BatchResult, 400: Errors, 401: Errors, 413: Errors, 422: Errors},
    summary="Record a batch of usage events",
    description=(
        "400: the body is not JSON in UTF-8; 401: no valid feed key; 413: more events than the limit; 422: the body "
        "is not a batch (`field` names the part). Events that are wrong one by one are not errors: they are listed "
        "in `rejected` with their index and reason, and the others are recorded."
    ),
)
def usage_events(request: HttpRequest, batch: Batch) -> Any:
    if len(batch.events) > settings.USAGE_FEED_MAX_EVENTS:
        return _errors(request, ErrorCode.FEED_BATCH_TOO_LARGE, 413, limit=settings.USAGE_FEED_MAX_EVENTS)
    now = timezone.now()
    # The parser numbers rows by "line"; here the line is the event's index in the batch.
    parse = row_parser(now)
    rows: list[EventRow | Rejected] = [parse(_values(event), index) for index, event in enumerate(batch.events)]
    result = ingest(rows, now=now)
    return {
        "received": result.received,
        "recorded": result.recorded,
        "duplicates": result.duplicates,
        "rejected": [
            {"index": r.line, "event_id": r.source_key, "code": r.code, "message": r.reason} for r in result.rejected
        ],
    }


@api.api_operation(["GET", "PUT", "PATCH", "DELETE"], "/usage-events", auth=None, include_in_schema=False)
def other_methods(request: HttpRequest) -> HttpResponse:
    response = _errors(request, ErrorCode.FEED_METHOD_NOT_ALLOWED, 405)
    response["Allow"] = "POST"
    return response
