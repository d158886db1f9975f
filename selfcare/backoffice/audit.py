"""Back office view of the audit trail: read-only, filterable; nobody edits or deletes an event."""

from __future__ import annotations

from django.contrib import admin

from selfcare.access.staff import Resource
from selfcare.audit.models import AuditEvent
from selfcare.backoffice.site import ReadOnlyAdmin, StaffModelAdmin, backoffice_site


@admin.register(AuditEvent, site=backoffice_site)
class AuditEventAdmin(ReadOnlyAdmin, StaffModelAdmin[AuditEvent]):
    resource = Resource.AUDIT
    list_display = [
        "occurred_at",
        "action",
        "identity",
        "staff_role",
        "subject",
        "context",
        "object_type",
        "object_id",
        "ip_address",
    ]
    list_filter = ["action", "staff_role", "context"]
    list_select_related = ["identity", "subject"]
    date_hierarchy = "occurred_at"
    search_fields = ["object_id", "action"]
