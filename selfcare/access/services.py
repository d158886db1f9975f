"""Writes of staff access: granting and removing staff roles, and the four-eyes requests.

Every write is one transaction with its audit event. Granting a role needs an administrator; granting the
administrator role, activating a power of attorney that failed verification and changing a personal code are
four-eyes actions: `approval_request` by one staff member, `approval_decide` by a second, different one, each an
audited step of its own. The freshness of the eID login is checked by the caller (the back office), which knows
the session; these functions check who may do what.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from selfcare.access.models import ApprovalKind, ApprovalRequest, ApprovalStatus, StaffRole, StaffRoleGrant
from selfcare.access.staff import Op, Resource, may_approve, role_for, roles_of
from selfcare.audit.services import record
from selfcare.identity.models import DigitalIdentity
from selfcare.identity.services import change_personal_code
from selfcare.mandates import services as mandates
from selfcare.mandates.models import Mandate


@dataclass(frozen=True, slots=True)
class Staff:
    """A staff member acting now: their identity and the role the action is done in."""

    identity: DigitalIdentity
    role: StaffRole


def acting_as(identity: DigitalIdentity | None, resource: Resource, op: Op) -> Staff:
    """The staff member with the role that allows this; PermissionDenied for anyone else."""
    role = role_for(roles_of(identity), resource, op)
    if identity is None or role is None:
        raise PermissionDenied
    return Staff(identity, role)


# --- Roles ------------------------------------------------------------------------------------------------------


def _grant(
    *,
    request: HttpRequest | None,
    identity: DigitalIdentity,
    role: StaffRole,
    by: Staff | None,
    approved_by: Staff | None = None,
) -> StaffRoleGrant:
    if StaffRoleGrant.objects.live().filter(identity=identity, role=role).exists():
        raise ValidationError(_("This person already holds this role."), code="role_held")
    grant = StaffRoleGrant.objects.create(
        identity=identity,
        role=role,
        granted_at=timezone.now(),
        granted_by=by.identity if by else None,
        approved_by=approved_by.identity if approved_by else None,
    )
    record(
        request,
        "access:role:granted",
        identity=by.identity if by else None,
        target=grant,
        staff_role=by.role if by else "command-line",
        subject=identity,
    )
    return grant


def role_grant(
    *, request: HttpRequest | None, identity: DigitalIdentity, role: StaffRole, by: Staff
) -> StaffRoleGrant | ApprovalRequest:
    """An administrator gives a person a staff role. The administrator role itself waits for a second
    administrator's approval: the answer is then the request, not the grant."""
    if by.role != StaffRole.ADMINISTRATOR:
        raise PermissionDenied
    if role == StaffRole.ADMINISTRATOR:
        return approval_request(
            request=request,
            kind=ApprovalKind.ROLE_GRANT,
            target_id=str(identity.pk),
            payload={"role": role.value},
            subject=identity,
            by=by,
        )
    with transaction.atomic():
        return _grant(request=request, identity=identity, role=role, by=by)


def role_grant_from_server(*, identity: DigitalIdentity, role: StaffRole) -> StaffRoleGrant:
    """The first administrator, from the command line on the server (someone with the server's keys already):
    audited as done from the command line."""
    with transaction.atomic():
        return _grant(request=None, identity=identity, role=role, by=None)


def role_revoke(*, request: HttpRequest | None, grant: StaffRoleGrant, by: Staff) -> StaffRoleGrant:
    """An administrator removes a role; it is gone at the staff member's next request."""
    if by.role != StaffRole.ADMINISTRATOR:
        raise PermissionDenied
    with transaction.atomic():
        locked = StaffRoleGrant.objects.select_for_update().get(pk=grant.pk)
        if locked.revoked_at is not None:
            raise ValidationError(_("This role was already removed."), code="role_removed")
        locked.revoked_at, locked.revoked_by = timezone.now(), by.identity
        locked.save(update_fields=["revoked_at", "revoked_by"])
        record(
            request,
            "access:role:revoked",
            identity=by.identity,
            target=locked,
            staff_role=by.role,
            subject=locked.identity,
        )
    return locked


# --- Four eyes --------------------------------------------------------------------------------------------------


def approval_request(
    *,
    request: HttpRequest | None,
    kind: ApprovalKind,
    target_id: str,
    payload: dict[str, str],
    by: Staff,
    subject: DigitalIdentity | None = None,
    company_id: int | None = None,
) -> ApprovalRequest:
    """The first of the two steps: recorded and audited, nothing changes yet."""
    if may_approve({by.role}, kind) is None:
        raise PermissionDenied
    with transaction.atomic():
        approval = ApprovalRequest.objects.create(
            kind=kind,
            target_id=target_id,
            payload=payload,
            subject=subject,
            company_id=company_id,
            requested_by=by.identity,
            requested_role=by.role,
            requested_at=timezone.now(),
        )
        record(
            request,
            f"access:approval:requested:{kind}",
            identity=by.identity,
            target=approval,
            staff_role=by.role,
            subject=subject,
            company_id=company_id,
        )
    return approval


def request_mandate_activation(
    *, request: HttpRequest | None, mandate: Mandate, reason: str, by: Staff
) -> ApprovalRequest:
    """Activating a power of attorney that failed verification: the reason is required now, as for the
    activation itself, so that the approver sees why."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why this power of attorney may be activated without verification.")})
    attorney = mandates_attorney(mandate)
    return approval_request(
        request=request,
        kind=ApprovalKind.MANDATE_ACTIVATE,
        target_id=str(mandate.pk),
        payload={"reason": reason.strip()[:300]},
        by=by,
        subject=attorney,
        company_id=mandate.company_id,
    )


def mandates_attorney(mandate: Mandate) -> DigitalIdentity | None:
    return DigitalIdentity.objects.filter(
        identifiers__country=mandate.attorney_country, identifiers__code=mandate.attorney_code
    ).first()


def approval_decide(
    *, request: HttpRequest | None, approval: ApprovalRequest, approve: bool, by: Staff
) -> ApprovalRequest:
    """The second step, by a different staff member who may do the action: approve (the action is done now, in
    the same transaction) or reject. A refused action (the mandate is no longer submitted, the code is taken)
    leaves the request `failed` with the reason, nothing half-done."""
    if may_approve({by.role}, ApprovalKind(approval.kind)) is None:
        raise PermissionDenied
    with transaction.atomic():
        locked = ApprovalRequest.objects.select_for_update().get(pk=approval.pk)
        if locked.status != ApprovalStatus.PENDING:
            raise ValidationError(_("This request was already decided."), code="approval_decided")
        if locked.requested_by_id == by.identity.pk:
            raise ValidationError(
                _("A second staff member must approve: you asked for this yourself."), code="approval_same_person"
            )
        locked.decided_by, locked.decided_role, locked.decided_at = by.identity, by.role, timezone.now()
        locked.status = ApprovalStatus.REJECTED
        if approve:
            try:
                with transaction.atomic():
                    _carry_out(request, locked, by)
            except ValidationError as error:
                locked.status, locked.outcome = ApprovalStatus.FAILED, " ".join(error.messages)[:300]
            else:
                locked.status = ApprovalStatus.APPROVED
        locked.save()
        step = "approved" if approve else "rejected"
        record(
            request,
            f"access:approval:{step}:{locked.kind}",
            identity=by.identity,
            target=locked,
            staff_role=by.role,
            subject=locked.subject,
            company_id=locked.company_id,
        )
    return locked


def _carry_out(request: HttpRequest | None, approval: ApprovalRequest, by: Staff) -> None:
    kind = ApprovalKind(approval.kind)
    if kind == ApprovalKind.MANDATE_ACTIVATE:
        mandate = Mandate.objects.get(pk=approval.target_id)
        staff_user = by.identity.user
        assert isinstance(staff_user, User)
        mandates.mandate_activate(
            request=request,
            mandate=mandate,
            by=mandates.By(staff=staff_user, staff_role=by.role),
            reason=str(approval.payload.get("reason", "")),
        )
    elif kind == ApprovalKind.CODE_CHANGE:
        identity = DigitalIdentity.objects.get(pk=approval.target_id)
        change_personal_code(identity=identity, new_code=str(approval.payload["new_code"]))
        record(
            request,
            "identity:code:changed",
            identity=by.identity,
            target=identity,
            staff_role=by.role,
            subject=identity,
        )
    elif kind == ApprovalKind.ROLE_GRANT:
        identity = DigitalIdentity.objects.get(pk=approval.target_id)
        requester = Staff(approval.requested_by, StaffRole(approval.requested_role))
        _grant(
            request=request, identity=identity, role=StaffRole(approval.payload["role"]), by=requester, approved_by=by
        )
