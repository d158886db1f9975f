"""Reads for the security pages: a person's own login history and actions, a company's security picture."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from selfcare.access.models import ApprovalKind, ApprovalRequest
from selfcare.audit.models import AuditEvent
from selfcare.binding.models import BindingStatus, ConnectionBinding
from selfcare.identity.models import AuthenticationRecord, DigitalIdentity
from selfcare.mandates.models import Mandate


def login_history(identity: DigitalIdentity, *, limit: int = 20) -> QuerySet[AuthenticationRecord]:
    """The person's own authentication attempts, newest first (failures with a claimed code are not linked to
    an identity, so they never show up here: the audit table does not tell who typed whose code)."""
    return identity.authentications.order_by("-occurred_at")[:limit]


def known_browser_count(identity: DigitalIdentity) -> int:
    """How many browsers the person has logged in from and not forgotten (each holds a device cookie)."""
    return identity.devices.count()


def own_actions(identity: DigitalIdentity, *, limit: int = 20) -> QuerySet[AuditEvent]:
    """What the person did. Staff actions on their data that are recorded under their own identity (a cleared
    lockout) are listed with the staff's actions instead (`staff_actions_about`)."""
    events = AuditEvent.objects.filter(identity=identity).exclude(subject=identity, staff_role__gt="")
    return events.order_by("-occurred_at")[:limit]


def staff_actions_about(identity: DigitalIdentity, *, limit: int = 50) -> QuerySet[AuditEvent]:
    """When staff opened the person's data or acted on it, newest first (SECURITY.md "Staff": the transparency of
    Estonia's data tracker).

    Events name the person concerned (`subject`) when they had a digital identity at the time. A power of attorney
    can name a person by personal code before their first login, so its events (and its four-eyes requests) are
    found through the mandates that name one of the person's codes, too."""
    codes = list(identity.identifiers.values_list("country", "code"))
    mandate_ids = [str(pk) for pk in Mandate.objects.of_codes(codes).values_list("pk", flat=True)]
    approval_ids = [
        str(pk)
        for pk in ApprovalRequest.objects.filter(
            kind=ApprovalKind.MANDATE_ACTIVATE, target_id__in=mandate_ids
        ).values_list("pk", flat=True)
    ]
    concerning = (
        Q(subject=identity)
        | Q(object_type="mandates.mandate", object_id__in=mandate_ids)
        | Q(object_type="access.approvalrequest", object_id__in=approval_ids)
    )
    events = AuditEvent.objects.filter(concerning, staff_role__gt="").select_related("identity")
    return events.order_by("-occurred_at")[:limit]


def company_mandates(company_id: int) -> QuerySet[Mandate]:
    return Mandate.objects.filter(company_id=company_id).order_by("-valid_until", "-pk")


def company_bindings(company_id: int, *, ended_limit: int = 50) -> list[ConnectionBinding]:
    """Every live binding of the company's connections, then the most recently ended ones."""
    bindings = ConnectionBinding.objects.filter(connection__account__company_id=company_id).select_related(
        "connection", "identity"
    )
    active = list(bindings.filter(status=BindingStatus.ACTIVE).order_by("connection__msisdn"))
    ended = list(bindings.exclude(status=BindingStatus.ACTIVE).order_by("-ended_at")[:ended_limit])
    return active + ended


def company_audit(company_id: int) -> QuerySet[AuditEvent]:
    """Every audit event recorded in one of the company's contexts (main users' and its employees')."""
    return AuditEvent.objects.filter(company_id=company_id).select_related("identity").order_by("-occurred_at")
