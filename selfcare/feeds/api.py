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
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from selfcare.errors import MESSAGES, ErrorCode
from selfcare.usage.feedkeys import feed_key_check
from selfcare.usage.ingest import FIELDS, EventRow, Rejected, ingest, parse_row
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


def _errors(request: HttpRequest, code: ErrorCode, status: int, **params: object) -> HttpResponse:
    text = str(MESSAGES[code]) % params if params else str(MESSAGES[code])
    return api.create_response(request, {"errors": [{"code": code, "message": text, "field": None}]}, status=status)


@api.exception_handler(AuthenticationError)
def unauthorized(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _errors(request, ErrorCode.FEED_KEY_INVALID, 401)


@api.exception_handler(NinjaValidationError)
def malformed(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {"code": "invalid_body", "message": str(e.get("msg", "")), "field": ".".join(map(str, e.get("loc", [])))}
        for e in exc.errors
    ]
    return api.create_response(request, {"errors": errors}, status=422)


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
    """The event's fields in the file format's order; a missing field makes the row the wrong shape."""
    return [str(event[name]) for name in FIELDS if name in event and event[name] is not None]


@api.post("/usage-events", response={200: BatchResult}, summary="Record a batch of usage events")
def usage_events(request: HttpRequest, batch: Batch) -> Any:
    if len(batch.events) > settings.USAGE_FEED_MAX_EVENTS:
        return _errors(request, ErrorCode.FEED_BATCH_TOO_LARGE, 413, limit=settings.USAGE_FEED_MAX_EVENTS)
    now = timezone.now()
    # parse_row numbers rows by "line"; here the line is the event's index in the batch.
    rows: list[EventRow | Rejected] = [
        parse_row(_values(event), index, now=now) for index, event in enumerate(batch.events)
    ]
    result = ingest(rows, now=now)
    return {
        "received": result.received,
        "recorded": result.recorded,
        "duplicates": result.duplicates,
        "rejected": [
            {"index": r.line, "event_id": r.source_key, "code": r.code, "message": r.reason} for r in result.rejected
        ],
    }
