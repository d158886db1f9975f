"""Builders for people who act: identities, powers of attorney and number bindings."""

from __future__ import annotations

import datetime
from typing import Any

from django.test import Client
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


def staff(*roles: str, code: str = "32000000001", given: str = "STAFF", family: str = "MEMBER") -> DigitalIdentity:
    """A staff member: a digital identity (eID, no password) holding these roles."""
    from selfcare.access.models import StaffRole
    from selfcare.access.services import role_grant_from_server

    identity = person(code, given, family)
    for role in roles:
        role_grant_from_server(identity=identity, role=StaffRole(role))
    return identity


def staff_client(client: Client, *roles: str, code: str = "32000000001") -> Client:
    """A test client logged in (with a fresh eID login) as a staff member holding these roles."""
    client.force_login(staff(*roles, code=code).user)
    return client
