"""Back office view of the audit trail: read-only, filterable; nobody edits or deletes an event."""

from __future__ import annotations

from django.contrib import admin

from selfcare.audit.models import AuditEvent
from selfcare.backoffice.site import ReadOnlyAdmin, backoffice_site


@admin.register(AuditEvent, site=backoffice_site)
class AuditEventAdmin(ReadOnlyAdmin, admin.ModelAdmin[AuditEvent]):
    list_display = ["occurred_at", "action", "identity", "context", "object_type", "object_id", "ip_address"]
    list_filter = ["action", "context"]
    list_select_related = ["identity"]
    date_hierarchy = "occurred_at"
    search_fields = ["object_id", "action"]
