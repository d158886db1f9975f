"""Reads of the identity core shared by pages and the API."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from selfcare.identity.models import AuthenticationRecord, DigitalIdentity


def identity_of(user: User | AnonymousUser) -> DigitalIdentity | None:
    if not user.is_authenticated:
        return None
    return DigitalIdentity.objects.filter(user=user).first()


def recent_authentications(identity: DigitalIdentity, *, limit: int = 10) -> QuerySet[AuthenticationRecord]:
    return identity.authentications.order_by("-occurred_at")[:limit]
