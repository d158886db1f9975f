"""Writing the audit trail. Every action a person takes in a context goes through `record`.

`request` is None for steps no request carries (a scheduled task such as the mandates' expiry): the event then
has no network address and no user agent.
"""

from __future__ import annotations

from django.db import models
from django.http import HttpRequest

from selfcare.access.contexts import Context
from selfcare.audit.models import AuditEvent
from selfcare.identity.models import DigitalIdentity
from selfcare.queries import PreparedInsert

# Every audited request writes one: the insert compiled once (selfcare.queries.PreparedInsert). AuditEvent's `save`
# only refuses changes to a saved event, and nothing listens to its signals.
_INSERT = PreparedInsert(AuditEvent)


def record(
    request: HttpRequest | None,
    action: str,
    *,
    identity: DigitalIdentity | None,
    context: Context | None = None,
    target: models.Model | None = None,
    staff_role: str = "",
    subject: DigitalIdentity | None = None,
    company_id: int | None = None,
) -> AuditEvent:
    """One event. Staff actions name the role they were done in (`staff_role`) and, where the data is a person's
    or a company's, the person (`subject`) and the company (`company_id`): those see the event on their own
    security pages."""
    return _INSERT.create(
        identity=identity,
        context=context.key if context else "",
        company_id=context.company_id if context else company_id,
        staff_role=staff_role,
        subject=subject,
        action=action,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        ip_address=(request.META.get("REMOTE_ADDR") or None) if request is not None else None,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else "",
    )
