"""Builders for offers and the people who claim them. Each returns a saved object; keyword arguments override."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from django.http import HttpRequest
from django.test import RequestFactory
from django.utils import timezone

from selfcare.access.contexts import Context, contexts_of
from selfcare.customers.models import GB
from selfcare.identity.models import DigitalIdentity
from selfcare.offers.models import LimitScope, Offer, OfferKind, OfferStatus

_sequence = itertools.count(1)


def offer(**overrides: Any) -> Offer:
    n = next(_sequence)
    now = timezone.now()
    plans = overrides.pop("tariff_plans", [])
    values: dict[str, Any] = {
        "slug": f"offer-{n}",
        "title_lv": f"Dāvana {n}",
        "title_en": f"Gift {n}",
        "title_ru": f"Подарок {n}",
        "description_lv": "Papildu dati",
        "description_en": "Extra data",
        "description_ru": "Дополнительные данные",
        "kind": OfferKind.DATA_GIFT,
        "data_bytes": 5 * GB,
        "data_valid_days": 7,
        "valid_from": now - datetime.timedelta(days=1),
        "valid_until": now + datetime.timedelta(days=30),
        "for_private": True,
        "for_company": True,
        "for_employees": True,
        "limit": LimitScope.CONNECTION,
        "status": OfferStatus.ACTIVE,
    } | overrides
    if values.get("stock_total") is not None and "stock_left" not in overrides:
        values["stock_left"] = values["stock_total"]
    obj = Offer(**values)
    obj.full_clean()
    obj.save()
    if plans:
        obj.tariff_plans.set(plans)
    return obj


def context_of(identity: DigitalIdentity, key: str) -> Context:
    return next(context for context in contexts_of(identity) if context.key == key)


def request() -> HttpRequest:
    return RequestFactory().post("/", REMOTE_ADDR="192.0.2.10")
