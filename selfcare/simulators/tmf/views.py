"""A simulated operator order management (TMF622) and product catalogue (TMF620), speaking their HTTP protocol.

Demo only (404 otherwise). Orders live in the cache, as the other simulators' sessions do. An order's state
follows the clock and the rule table (rules.py): acknowledged → inProgress → completed | failed, or rejected at
once. Each state change is posted to every callback registered at the hub as a ProductOrderStateChangeEvent,
signed with HMAC-SHA256 over the body (header `X-Signature: sha256=<hex>`); an order read with GET shows the
same state, so polling sees what the events say.

Self-contained: nothing here imports the portal's ordering code; what the two share is the protocol and the
configured secret and token.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import logging
import threading
import time
import uuid
from typing import Any

import httpx
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from selfcare.simulators.gate import demo_only
from selfcare.simulators.tmf.catalogue import OFFERINGS, product_offering
from selfcare.simulators.tmf.rules import Outcome, outcome_for

logger = logging.getLogger(__name__)

DEMO_TOKEN = "demo-ordering-token"  # noqa: S105 - the demo's, public
DEMO_SECRET = "demo-ordering-callback-secret-public-in-the-repository"  # noqa: S105 - the demo's, public
SM_DP_ADDRESS = "rsp.simulator.selfcare.test"
_KEEP_SECONDS = 7 * 24 * 3600
_HUB_KEY = "sim-tmf:hub"


def _secret() -> str:
    return str(getattr(settings, "ORDERING_CALLBACK_SECRET", "") or DEMO_SECRET)


def _authorised(request: HttpRequest) -> bool:
    expected = str(getattr(settings, "ORDERING_API_TOKEN", "") or DEMO_TOKEN)
    given = request.headers.get("Authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {expected}".encode())


def _error(status: int, code: str, reason: str) -> JsonResponse:
    return JsonResponse({"code": code, "reason": reason, "status": str(status)}, status=status)


@require_safe
@demo_only
def offerings(request: HttpRequest) -> HttpResponse:
    if not _authorised(request):
        return _error(401, "unauthorised", "A bearer token is required.")
    href = request.build_absolute_uri()
    rows = [product_offering(row, href.split("?")[0] + "/") for row in OFFERINGS]
    response = JsonResponse(rows, safe=False)
    response["X-Total-Count"] = str(len(rows))
    response["X-Result-Count"] = str(len(rows))
    return response


def matching_id(order_id: str) -> str:
    digest = hashlib.sha256(order_id.encode()).hexdigest().upper()
    return "-".join(digest[i : i + 5] for i in range(0, 20, 5))


def _state_at(stored: dict[str, Any], now: float) -> tuple[str, str]:
    outcome = Outcome(**stored["outcome"])
    elapsed = now - float(stored["created"])
    if outcome.seconds <= 0:
        return outcome.state, outcome.reason
    if elapsed < min(1.0, outcome.seconds / 2):
        return "acknowledged", ""
    start = stored.get("requestedStartDate")
    # Only a change that will happen waits for its date: a refusal (a donor refusing a port) comes when it comes.
    if (
        outcome.state == "completed"
        and start
        and datetime.date.fromisoformat(start) > datetime.datetime.now(datetime.UTC).date()
    ):
        return "inProgress", ""
    if elapsed < outcome.seconds:
        return "inProgress", ""
    return outcome.state, outcome.reason


def _render(stored: dict[str, Any], base: str, now: float) -> dict[str, Any]:
    state, reason = _state_at(stored, now)
    body = dict(stored["order"])
    body.update({"id": stored["id"], "href": f"{base}{stored['id']}", "@type": "ProductOrder", "state": state})
    if reason:
        code = stored["outcome"].get("code") or state
        body["errorMessage"] = [{"code": code, "reason": reason, "@type": "ProductOrderErrorMessage"}]
    items = []
    for item in body.get("productOrderItem", []):
        item = json.loads(json.dumps(item))
        item["state"] = state
        offering = (item.get("productOffering") or {}).get("id")
        if state == "completed" and (offering == "esim-replacement" or _wants_esim(item)):
            code = f"LPA:1${SM_DP_ADDRESS}${matching_id(stored['id'] + str(item.get('id')))}"
            product = item.setdefault("product", {})
            product.setdefault("productCharacteristic", []).append({"name": "activationCode", "value": code})
        items.append(item)
    body["productOrderItem"] = items
    return body


def _wants_esim(item: dict[str, Any]) -> bool:
    """A new connection on an eSIM: its item says `simType` `esim`."""
    characteristics = (item.get("product") or {}).get("productCharacteristic") or []
    return any(c.get("name") == "simType" and c.get("value") == "esim" for c in characteristics if isinstance(c, dict))


def signature(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _notify(stored: dict[str, Any], base: str) -> None:
    """Post each state change to the hub's callbacks at its time (a daemon thread per order)."""
    outcome = Outcome(**stored["outcome"])
    moments = [0.0] if outcome.seconds <= 0 else [0.0, min(1.0, outcome.seconds / 2), outcome.seconds]
    last = ""
    for moment in moments:
        delay = float(stored["created"]) + moment + 0.05 - time.time()
        if delay > 0:
            time.sleep(delay)
        order = _render(stored, base, time.time())
        if order["state"] == last:
            continue
        last = order["state"]
        event = {
            "eventId": str(uuid.uuid4()),
            "eventTime": datetime.datetime.now(datetime.UTC).isoformat(),
            "eventType": "ProductOrderStateChangeEvent",
            "event": {"productOrder": order},
        }
        body = json.dumps(event).encode()
        for callback in cache.get(_HUB_KEY, []):
            _deliver(callback, body)


# A hub delivers at least once: a listener that answers 5xx or not at all is asked again after these pauses, as
# operators' notification hubs do (a listener restarting, a database busy for a moment). A 4xx is its answer.
_RETRY_PAUSES = (0.5, 1.0, 2.0)


def _deliver(callback: str, body: bytes) -> None:
    headers = {"Content-Type": "application/json", "X-Signature": signature(body, _secret())}
    for pause in (*_RETRY_PAUSES, None):
        try:
            answer = httpx.post(callback, content=body, headers=headers, timeout=5)
        except httpx.HTTPError:
            answer = None
        if answer is not None and answer.status_code < 500:
            return
        if pause is None:
            logger.info("ordering simulator: callback %s did not take the event", callback)
            return
        time.sleep(pause)


@csrf_exempt
@require_http_methods(["GET", "POST"])
@demo_only
def orders(request: HttpRequest) -> HttpResponse:
    if not _authorised(request):
        return _error(401, "unauthorised", "A bearer token is required.")
    base = request.build_absolute_uri().split("?")[0].rstrip("/") + "/"
    if request.method == "GET":
        return JsonResponse([], safe=False)
    try:
        order = json.loads(request.body)
    except ValueError:
        return _error(400, "invalid", "The body is not JSON.")
    items = order.get("productOrderItem") if isinstance(order, dict) else None
    if not items or not all(isinstance(i, dict) and i.get("action") in ("add", "modify", "delete") for i in items):
        return _error(400, "invalid", "productOrderItem with action add, modify or delete is required.")
    stored = {
        "id": str(uuid.uuid4()),
        "created": time.time(),
        "order": order,
        "outcome": _as_dict(order),
        "requestedStartDate": order.get("requestedStartDate"),
    }
    cache.set(f"sim-tmf:order:{stored['id']}", stored, _KEEP_SECONDS)
    _take_numbers(order)
    if cache.get(_HUB_KEY):
        threading.Thread(target=_notify, args=(stored, base), daemon=True).start()
    return JsonResponse(_render(stored, base, time.time()), status=201)


def _as_dict(order: dict[str, Any]) -> dict[str, Any]:
    outcome = outcome_for(order)
    return {"state": outcome.state, "seconds": outcome.seconds, "reason": outcome.reason, "code": outcome.code}


@require_safe
@demo_only
def order(request: HttpRequest, order_id: str) -> HttpResponse:
    if not _authorised(request):
        return _error(401, "unauthorised", "A bearer token is required.")
    stored = cache.get(f"sim-tmf:order:{order_id}")
    if stored is None:
        return _error(404, "notFound", "No such productOrder.")
    base = request.build_absolute_uri().rsplit("/", 1)[0] + "/"
    return JsonResponse(_render(stored, base, time.time()))


@csrf_exempt
@require_http_methods(["POST"])
@demo_only
def hub(request: HttpRequest) -> HttpResponse:
    if not _authorised(request):
        return _error(401, "unauthorised", "A bearer token is required.")
    try:
        callback = str(json.loads(request.body)["callback"])
    except (ValueError, KeyError, TypeError):
        return _error(400, "invalid", "callback is required.")
    callbacks = [c for c in cache.get(_HUB_KEY, []) if c != callback] + [callback]
    cache.set(_HUB_KEY, callbacks, _KEEP_SECONDS)
    return JsonResponse({"id": hashlib.sha256(callback.encode()).hexdigest()[:16], "callback": callback}, status=201)


_TAKEN_KEY = "sim-tmf:taken-numbers"
# The simulated operator's free numbers: Latvian mobile numbers none of the rule table's endings pick out.
_FREE_POOL = tuple(f"+3712000{n:04d}" for n in range(1001, 1200))


def _limit(text: str) -> int:
    return min(int(text), 20) if text.isdigit() and int(text) > 0 else 6


def free_numbers(limit: int) -> list[dict[str, Any]]:
    taken = set(cache.get(_TAKEN_KEY, []))
    free = [number for number in _FREE_POOL if number not in taken][:limit]
    return [
        {"id": f"msisdn-{n[1:]}", "@type": "MSISDN", "name": n, "resourceStatus": "available", "value": n} for n in free
    ]


def _take_numbers(order: dict[str, Any]) -> None:
    """A new connection's number is no longer free once ordered (a ported one was never in the pool)."""
    added = [
        str((item.get("product") or {}).get("name", ""))
        for item in order.get("productOrderItem", [])
        if isinstance(item, dict) and item.get("action") == "add"
    ]
    if added:
        cache.set(_TAKEN_KEY, [*cache.get(_TAKEN_KEY, []), *added], _KEEP_SECONDS)


@require_safe
@demo_only
def sim_resources(request: HttpRequest) -> HttpResponse:
    """TMF639 resource inventory: SIM cards (the PUK, made up per number and stable) and free numbers (`@type=MSISDN`,
    `resourceStatus=available`) for new connections."""
    if not _authorised(request):
        return _error(401, "unauthorised", "A bearer token is required.")
    if request.GET.get("@type") == "MSISDN":
        return JsonResponse(free_numbers(_limit(request.GET.get("limit", ""))), safe=False)
    number = request.GET.get("name", "")
    if not number.startswith("+") or not number[1:].isdigit():
        return JsonResponse([], safe=False)
    digest = int(hashlib.sha256(f"puk:{number}".encode()).hexdigest(), 16)
    return JsonResponse(
        [
            {
                "id": f"sim-{number[1:]}",
                "@type": "SimCard",
                "name": number,
                "resourceCharacteristic": [{"name": "puk1", "value": f"{digest % 10**8:08d}"}],
            }
        ],
        safe=False,
    )
