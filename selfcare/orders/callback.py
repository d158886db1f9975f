"""Our callback for the operator's order events (TMF622 ProductOrderStateChangeEvent and the like).

Believed only when the body's HMAC-SHA256 with the shared secret matches `X-Signature: sha256=<hex>`, and only for
an order of ours: the event's order id and our externalId must name the same order. Anything else is refused and
changes nothing (401 bad signature, 404 not ours, 400 not an event). Not for people: no language prefix, no
session, no CSRF token (the signature is the proof).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from selfcare.orders.client import OrderingError, parse_order
from selfcare.orders.config import ordering_config
from selfcare.orders.models import NewConnectionOrder, Order
from selfcare.orders.new_connection import apply_state
from selfcare.orders.services import order_apply_state

MAX_BODY = 1024 * 1024


def signature_ok(body: bytes, header: str, secret: str) -> bool:
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return bool(secret) and hmac.compare_digest(header.encode(), expected.encode())


def _refuse(status: int, code: str) -> JsonResponse:
    return JsonResponse({"code": code}, status=status)


@csrf_exempt
@require_POST
def order_event(request: HttpRequest) -> HttpResponse:
    body = request.body[: MAX_BODY + 1]
    if len(body) > MAX_BODY:
        return _refuse(413, "too_large")
    if not signature_ok(body, request.headers.get("X-Signature", ""), ordering_config().callback_secret):
        return _refuse(401, "bad_signature")
    try:
        event = json.loads(body)
        remote = parse_order(event["event"]["productOrder"])
        ours = uuid.UUID(remote.external_id)
    except (ValueError, KeyError, TypeError, OrderingError):
        return _refuse(400, "not_an_order_event")
    order = Order.objects.filter(pk=ours, external_id=remote.id).first()
    if order is None:
        # A new connection's order (selfcare.orders.new_connection) names its own row the same way.
        new = NewConnectionOrder.objects.filter(pk=ours, external_id=remote.id).first()
        if new is None:
            return _refuse(404, "not_ours")
        apply_state(
            order=new,
            state=remote.state,
            reason=remote.reason,
            reason_code=remote.reason_code,
            activation_code=remote.activation_code,
        )
        return HttpResponse(status=204)
    order_apply_state(
        order=order,
        state=remote.state,
        reason=remote.reason,
        reason_code=remote.reason_code,
        activation_code=remote.activation_code,
    )
    return HttpResponse(status=204)
