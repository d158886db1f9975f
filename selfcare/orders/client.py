"""The portal's client of the operator's TMF622 Product Ordering and TMF620 Product Catalog APIs, over HTTP.

- `offerings()` — the catalogue's sellable product offerings (plans, packs, barrings), cached for
  CATALOGUE_CACHE_SECONDS: the catalogue changes rarely and each order page needs it;
- `place_order(...)` — POST productOrder; answers the operator's id and first state;
- `get_order(id)` — GET productOrder/{id}: the polling fallback;
- `free_numbers()` — GET resource (TMF639, `@type=MSISDN`, `resourceStatus=available`): numbers offered to a new
  connection;
- `ensure_listener()` — POST hub with our callback, once per cache period.

Errors: `OrderingUnavailable` (no answer, 5xx, not JSON), `OrderingRefused` (4xx: the operator refused what we sent).
Neither carries the operator's raw text to people: the services turn them into translated messages.
Tests, like the demo, point it at the simulator service by the URL settings (selfcare/conftest.py).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx
from django.conf import settings
from django.core.cache import cache

from selfcare import outbound
from selfcare.orders.config import OrderingConfig, ordering_config

_CATALOGUE_KEY = "orders:catalogue:v1"


class OrderingError(Exception):
    """The ordering or catalogue system did not do what was asked."""


class OrderingUnavailable(OrderingError):
    """No usable answer: unreachable, timed out, 5xx or not JSON."""


class OrderingRefused(OrderingError):
    """A 4xx answer: the operator's system refused the request."""


UNLIMITED = None  # an allowance the plan does not limit


@dataclass(frozen=True, slots=True)
class Includes:
    """What a plan includes each month (TMF620 prodSpecCharValueUse); None: unlimited, unless the catalogue did
    not state it at all (not in `stated`)."""

    data_bytes: int | None
    eu_data_bytes: int | None
    voice_minutes: int | None
    sms: int | None
    term_months: int  # the minimum term; 0: no fixed term
    stated: frozenset[str]  # the fields the catalogue stated


@dataclass(frozen=True, slots=True)
class Offering:
    """A TMF620 productOffering as the portal uses it."""

    id: str
    name: str
    category: str  # "plan", "pack", "barring", "sim"
    segments: tuple[str, ...]  # "private", "business"
    price: Decimal  # EUR excl. VAT
    recurring: bool  # monthly (True) or once (False)
    change_effective: str  # plans: "now" or "nextCycle"
    price_with_vat: Decimal | None = None  # taxIncludedAmount, where the catalogue states it
    includes: Includes | None = None  # plans: the monthly allowances, where the catalogue states them


@dataclass(frozen=True, slots=True)
class RemoteOrder:
    id: str
    external_id: str
    state: str
    reason: str
    reason_code: str  # the errorMessage's code: the operator's name for the reason (selfcare.orders.reasons)
    activation_code: str


def _client(config: OrderingConfig) -> httpx.Client:
    return outbound.client(
        timeout=config.timeout, headers={"Authorization": f"Bearer {config.token}", "Accept": "application/json"}
    )


def _json(response: httpx.Response) -> Any:
    if response.status_code >= 500:
        raise OrderingUnavailable(f"HTTP {response.status_code}")
    if response.status_code >= 400:
        raise OrderingRefused(f"HTTP {response.status_code}")
    try:
        return response.json()
    except ValueError:
        raise OrderingUnavailable("answer is not JSON") from None


def _call(method: str, url: str, config: OrderingConfig, **kwargs: Any) -> Any:
    try:
        with _client(config) as client:
            return _json(client.request(method, url, **kwargs))
    except httpx.HTTPError as error:
        raise OrderingUnavailable(type(error).__name__) from None


_ALLOWANCES = {"dataAllowance": "data_bytes", "euRoamingData": "eu_data_bytes", "voiceMinutes": "voice_minutes"}
_ALLOWANCES["sms"] = "sms"


def _includes(data: dict[str, Any]) -> Includes | None:
    """The plan's allowances from its characteristics; None when the catalogue states none of them."""
    values: dict[str, int | None] = {}
    for use in data.get("prodSpecCharValueUse") or []:
        field = _ALLOWANCES.get(str(use.get("name", "")))
        given = (use.get("productSpecCharacteristicValue") or [{}])[0].get("value")
        if field is None:
            continue
        if given == "unlimited":
            values[field] = UNLIMITED
        elif isinstance(given, int | float) and given >= 0:
            values[field] = int(given)
    if not values:
        return None
    terms = data.get("productOfferingTerm") or [{}]
    months = (terms[0].get("duration") or {}).get("amount", 0)
    return Includes(
        data_bytes=values.get("data_bytes"),
        eu_data_bytes=values.get("eu_data_bytes"),
        voice_minutes=values.get("voice_minutes"),
        sms=values.get("sms"),
        term_months=int(months) if isinstance(months, int | float) and months >= 0 else 0,
        stated=frozenset(values),
    )


def _offering(data: dict[str, Any]) -> Offering | None:
    try:
        prices = data.get("productOfferingPrice") or [{}]
        price = prices[0]
        amount = Decimal(str(price.get("price", {}).get("dutyFreeAmount", {}).get("value", "0")))
        with_vat = price.get("price", {}).get("taxIncludedAmount", {}).get("value")
        category = (data.get("category") or [{}])[0].get("id", "")
        return Offering(
            id=str(data["id"]),
            name=str(data.get("name", data["id"])),
            category=str(category),
            segments=tuple(str(s.get("id")) for s in data.get("marketSegment", [])),
            price=amount,
            recurring=price.get("priceType") == "recurring",
            change_effective=str(data.get("changeEffective", "now")),
            price_with_vat=Decimal(str(with_vat)).quantize(Decimal("0.01")) if with_vat is not None else None,
            includes=_includes(data),
        )
    except (KeyError, IndexError, TypeError, AttributeError, InvalidOperation):
        return None


def offerings() -> list[Offering]:
    """The sellable offerings, from the cache or the catalogue (an unavailable catalogue raises)."""
    cached: list[Offering] | None = cache.get(_CATALOGUE_KEY)
    if cached is not None:
        return cached
    config = ordering_config()
    data = _call(
        "GET",
        f"{config.catalogue_url}productOffering",
        config,
        params={"lifecycleStatus": "Active", "isSellable": "true", "limit": "500"},
    )
    if not isinstance(data, list):
        raise OrderingUnavailable("catalogue answer is not a list")
    found = [offering for item in data if isinstance(item, dict) and (offering := _offering(item)) is not None]
    cache.set(_CATALOGUE_KEY, found, settings.CATALOGUE_CACHE_SECONDS)
    return found


def offering(offering_id: str) -> Offering | None:
    return next((o for o in offerings() if o.id == offering_id), None)


def _remote(data: Any) -> RemoteOrder:
    if not isinstance(data, dict) or not data.get("id") or not data.get("state"):
        raise OrderingUnavailable("productOrder without id or state")
    errors = data.get("errorMessage") or []
    first_error = errors[0] if errors and isinstance(errors[0], dict) else {}
    reason = str(first_error.get("reason", ""))
    code = ""
    for item in data.get("productOrderItem") or []:
        for characteristic in (item.get("product") or {}).get("productCharacteristic") or []:
            if characteristic.get("name") == "activationCode":
                code = str(characteristic.get("value", ""))
    return RemoteOrder(
        id=str(data["id"]),
        external_id=str(data.get("externalId", "")),
        state=str(data["state"]),
        reason=reason[:300],
        reason_code=str(first_error.get("code", ""))[:60],
        activation_code=code[:300],
    )


def parse_order(data: Any) -> RemoteOrder:
    """A productOrder as the portal reads it (from an answer or from an event)."""
    return _remote(data)


def place_order(body: dict[str, Any]) -> RemoteOrder:
    config = ordering_config()
    ensure_listener(config)
    return _remote(_call("POST", f"{config.ordering_url}productOrder", config, json=body))


def get_order(order_id: str) -> RemoteOrder:
    config = ordering_config()
    return _remote(_call("GET", f"{config.ordering_url}productOrder/{order_id}", config))


def sim_puk(msisdn: str) -> str:
    """The PUK of the SIM serving this number, from the TMF639 resource inventory (`resourceCharacteristic` puk1)."""
    config = ordering_config()
    data = _call("GET", f"{config.inventory_url}resource", config, params={"name": msisdn, "@type": "SimCard"})
    for resource in data if isinstance(data, list) else []:
        for characteristic in resource.get("resourceCharacteristic") or [] if isinstance(resource, dict) else []:
            if isinstance(characteristic, dict) and characteristic.get("name") == "puk1":
                return str(characteristic.get("value", ""))
    raise OrderingUnavailable("no SIM with a PUK for this number")


def free_numbers(limit: int = 6) -> list[str]:
    """Numbers the operator offers for a new connection, from the TMF639 resource inventory (E.164, at most
    `limit`). Which numbers are free is the operator's business; the portal offers only what this returns."""
    config = ordering_config()
    data = _call(
        "GET",
        f"{config.inventory_url}resource",
        config,
        params={"@type": "MSISDN", "resourceStatus": "available", "limit": str(limit)},
    )
    resources = data if isinstance(data, list) else []
    found = [
        str(resource["name"])
        for resource in resources
        if isinstance(resource, dict) and str(resource.get("name", "")).startswith("+")
    ]
    return found[:limit]


def ensure_listener(config: OrderingConfig) -> None:
    """Register our callback with the ordering system's hub (TMF630 `POST /hub`), once per hour per address.

    A failure is not fatal: polling still follows every order."""
    if not config.register_hub or not config.callback_url:
        return
    key = f"orders:hub:{config.ordering_url}:{config.callback_url}"
    if cache.get(key):
        return
    try:
        _call("POST", f"{config.ordering_url}hub", config, json={"callback": config.callback_url})
    except OrderingError:
        return
    cache.set(key, True, 3600)


def requested_start(change_effective: str, today: datetime.date) -> datetime.date | None:
    """The first day of the next billing month for a plan that changes at the next cycle; None for "now"."""
    if change_effective != "nextCycle":
        return None
    return (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
