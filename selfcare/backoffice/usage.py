"""Back office view of the usage feed keys: list them and revoke them. Keys are created only by
`selfcare usage feed-key create`, which shows the key once; here nobody can see or change a key."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from selfcare.access.staff import Resource
from selfcare.backoffice.site import StaffModelAdmin, backoffice_site
from selfcare.usage.feedkeys import feed_key_revoke
from selfcare.usage.models import FeedKey


@admin.register(FeedKey, site=backoffice_site)
class FeedKeyAdmin(StaffModelAdmin[FeedKey]):
    resource = Resource.FEED_KEYS
    list_display = ["name", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["name", "prefix", "created_at", "last_used_at", "revoked_at"]
    exclude = ["key_hash"]
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected feed keys"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[FeedKey]) -> None:
        for record in queryset:
            feed_key_revoke(record)
        self.message_user(request, _("Revoked."), messages.SUCCESS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
