"""Back office view of the audit trail: read-only, filterable; nobody edits or deletes an event."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from selfcare.audit.models import AuditEvent
from selfcare.backoffice.site import backoffice_site


@admin.register(AuditEvent, site=backoffice_site)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ["occurred_at", "action", "identity", "context", "object_type", "object_id", "ip_address"]
    list_filter = ["action", "context"]
    list_select_related = ["identity"]
    date_hierarchy = "occurred_at"
    search_fields = ["object_id", "action"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
