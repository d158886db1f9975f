"""Back office view of the usage feed keys, for administrators: create one (its key is shown once, on the page
that answers the creation; only its hash is kept), list them and revoke them. Nobody can see a key again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from selfcare.access.staff import Op, Resource
from selfcare.audit.services import record
from selfcare.backoffice.site import StaffModelAdmin, acting, backoffice_site
from selfcare.usage.feedkeys import feed_key_create, feed_key_revoke
from selfcare.usage.models import FeedKey


class FeedKeyForm(forms.Form):
    name = forms.SlugField(label=_("Name of the feed (e.g. mediation-1)"), max_length=50)


@admin.register(FeedKey, site=backoffice_site)
class FeedKeyAdmin(StaffModelAdmin[FeedKey]):
    resource = Resource.FEED_KEYS
    list_display = ["name", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["name", "prefix", "created_at", "last_used_at", "revoked_at"]
    exclude = ["key_hash"]
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected feed keys"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[FeedKey]) -> None:
        staff = acting(request, self.resource, Op.CHANGE)
        for feed_key in queryset:
            feed_key_revoke(feed_key)
            record(request, "access:feed-key:revoked", identity=staff.identity, target=feed_key, staff_role=staff.role)
        self.message_user(request, _("Revoked."), messages.SUCCESS)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @method_decorator(never_cache)
    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_add_permission(request):
            return super().add_view(request, form_url, extra_context)  # Django's own refusal (403)
        form = FeedKeyForm(request.POST or None)
        key = ""
        if request.method == "POST" and form.is_valid():
            staff = acting(request, self.resource, Op.ADD)
            feed_key, key = feed_key_create(name=form.cleaned_data["name"])
            record(request, "access:feed-key:created", identity=staff.identity, target=feed_key, staff_role=staff.role)
        context = {
            **self.admin_site.each_context(request),
            "title": _("New usage feed key"),
            "form": form,
            "key": key,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "backoffice/feed_key_add.html", context)
