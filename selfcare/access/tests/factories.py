"""Builders for people who act: identities, powers of attorney and number bindings."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from selfcare.binding.models import ConnectionBinding
from selfcare.customers.models import Company, Connection
from selfcare.identity.methods.base import VerifiedIdentity
from selfcare.identity.models import DigitalIdentity
from selfcare.identity.services import identity_for
from selfcare.mandates.models import Mandate, MandateStatus


def person(code: str, given: str = "TEST", family: str = "PERSON") -> DigitalIdentity:
    return identity_for(VerifiedIdentity("smartid", "LV", code, given, family, "qualified", {}))


def mandate(company: Company, identity: DigitalIdentity, **overrides: Any) -> Mandate:
    code = identity.identifiers.get()
    today = timezone.localdate()
    values: dict[str, Any] = {
        "company": company,
        "attorney_country": code.country,
        "attorney_code": code.code,
        "attorney_name": identity.full_name,
        "status": MandateStatus.ACTIVE,
        "valid_from": today - datetime.timedelta(days=10),
        "valid_until": today + datetime.timedelta(days=100),
    } | overrides
    return Mandate.objects.create(**values)


def binding(connection: Connection, identity: DigitalIdentity) -> ConnectionBinding:
    return ConnectionBinding.objects.create(connection=connection, identity=identity)
