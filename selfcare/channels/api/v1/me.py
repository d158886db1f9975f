"""The person behind the token: their name and the contexts they act in (the dashboard's headings)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from selfcare.access.contexts import contexts_of
from selfcare.channels.api import auth
from selfcare.channels.api.errors import REFUSALS
from selfcare.channels.api.v1.contexts import ContextOut, context_out
from selfcare.channels.oidc.claims import display_name

router = Router(tags=["me"])


class PersonOut(Schema):
    id: str  # the pairwise subject: the same as the `sub` of this client's ID tokens
    href: str
    name: str
    givenName: str
    familyName: str
    contexts: list[ContextOut]


@router.get("", response={200: PersonOut, **REFUSALS}, auth=auth.PROFILE, summary="The person and their contexts")
def me(request: HttpRequest) -> PersonOut:
    caller: auth.Caller = request.auth  # type: ignore[attr-defined]
    identity = caller.identity
    return PersonOut(
        id=caller.subject,
        href="/api/v1/me",
        name=identity.full_name,
        givenName=display_name(identity.given_name),
        familyName=display_name(identity.family_name),
        contexts=[context_out(c) for c in contexts_of(identity)],
    )
