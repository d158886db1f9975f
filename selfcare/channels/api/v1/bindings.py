"""Binding a work number from the app: ask for a code, confirm it. The same services, rules and limits as the
work-number page (selfcare.binding.services); the "fresh login" rule counts the eID login the token came from."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from selfcare.binding.services import binding_confirm, binding_start
from selfcare.channels.api import auth
from selfcare.channels.api.errors import REFUSALS
from selfcare.channels.api.v1.contexts import PREFIX

router = Router(tags=["number binding"])


class StartIn(Schema):
    number: str = Field(..., max_length=30, description="the work number, e.g. +371 2XXXXXXX")


class ConfirmIn(Schema):
    code: str = Field(..., max_length=20)


class StartedOut(Schema):
    # The same answer whether or not a code went out: the API must not tell which numbers are ours.
    status: str


class BindingOut(Schema):
    id: str
    msisdn: str
    context: str
    connection: str  # href of the bound connection


@router.post("/start", response={202: StartedOut, **REFUSALS}, auth=auth.BINDING, summary="Ask for a code by SMS")
def start(request: HttpRequest, body: StartIn) -> Status[StartedOut]:
    binding_start(request=request, identity=request.identity, number_text=body.number)  # type: ignore[attr-defined]
    return Status(202, StartedOut(status="codeRequested"))


@router.post("/confirm", response={201: BindingOut, **REFUSALS}, auth=auth.BINDING, summary="Confirm the code")
def confirm(request: HttpRequest, body: ConfirmIn) -> Status[BindingOut]:
    binding = binding_confirm(request=request, identity=request.identity, code_text=body.code)  # type: ignore[attr-defined]
    company_id = binding.connection.account.company_id
    context = f"work-{company_id}"
    return Status(
        201,
        BindingOut(
            id=str(binding.pk),
            msisdn=binding.connection.msisdn,
            context=context,
            connection=f"{PREFIX}/{context}/connections/{binding.connection_id}",
        ),
    )
