"""What the provider says about a person: a pairwise subject, the eID method as `acr`/`amr`, the name, and the
person's connections with their role on each (TMF691 `userAssets`).

The subject is never the personal code nor the identity's own id: each client gets an HMAC of the identity's id
with its client id, so two clients cannot correlate their users by subject (OIDC Core 8.1).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.conf import settings

from selfcare.access.contexts import ContextKind, contexts_of
from selfcare.access.policy import connections_in
from selfcare.identity.models import DigitalIdentity

# eIDAS levels of assurance; the methods report the level of the evidence they verified.
ACR_HIGH = "http://eidas.europa.eu/LoA/high"
ACR_SUBSTANTIAL = "http://eidas.europa.eu/LoA/substantial"
ACR_VALUES = (ACR_HIGH, ACR_SUBSTANTIAL)
_ACR = {"qualified": ACR_HIGH, "high": ACR_HIGH, "advanced": ACR_SUBSTANTIAL, "substantial": ACR_SUBSTANTIAL}

# RFC 8176 authentication method references, besides the method's own name ("smartid", "swedbank", …).
_AMR = {
    "smartid": ("swk", "pin", "mfa"),
    "eparaksts-mobile": ("swk", "pin", "mfa"),
    "eparaksts-card": ("sc", "pin", "mfa"),
    "eid-scan": ("sc", "pin", "mfa"),
}
_BANK_AMR = ("mfa",)

# The TMF691 role of the person, by the context that grants it: one for every kind (a kind without one made every
# answer naming the context fail). A representative acts on the company's powers of attorney, not its connections.
ROLES: dict[ContextKind, str] = {
    ContextKind.PRIVATE: "owner",
    ContextKind.COMPANY: "mainUser",
    ContextKind.WORK: "user",
    ContextKind.REPRESENTATIVE: "legalRepresentative",
}


def pairwise_subject(identity_id: object, client_id: str) -> str:
    message = f"{client_id}\x00{identity_id}".encode()
    return hmac.new(settings.OIDC_PAIRWISE_KEY.encode(), message, hashlib.sha256).hexdigest()


def display_name(part: str) -> str:
    """A name as people write it: certificates carry capitals (ANNA), as DigitalIdentity.full_name explains."""
    return part.title() if part.isupper() else part


def acr_for(level: str) -> str:
    return _ACR.get(level, ACR_SUBSTANTIAL)


def amr_for(method: str) -> list[str]:
    return [method, *_AMR.get(method, _BANK_AMR)]


def user_assets(identity: DigitalIdentity, *, limit: int) -> list[dict[str, Any]]:
    """Every connection the person sees today with their role on it, as TMF691 userAssets, at most `limit`
    (the app API pages through the rest). One query per context, like the dashboard."""
    assets: list[dict[str, Any]] = []
    for context in contexts_of(identity):
        if len(assets) >= limit:
            break
        rows = connections_in(identity, context).order_by("msisdn").values_list("pk", "msisdn")
        for pk, msisdn in rows[: limit - len(assets)]:
            assets.append(
                {
                    "id": str(pk),
                    "entityType": "product",
                    "assetType": "mobile line subscription",
                    "role": ROLES[context.kind],
                    "msisdn": msisdn,
                    "context": context.key,
                    **({"organization": context.company_name} if context.company_name else {}),
                }
            )
    return assets
