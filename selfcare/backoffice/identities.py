"""Back office for digital identities: look a person up, see their codes and logins, record a code change.

Authentication records are the audit trail: staff read them, nobody edits or deletes them here.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from selfcare.backoffice.site import IdentifierSearchMixin, ReadOnlyAdmin, ReadOnlyInline, backoffice_site
from selfcare.binding import otp
from selfcare.binding.models import FailureLockoutCleared
from selfcare.binding.services import clear_failure_lockout
from selfcare.identity.models import AuthenticationRecord, DigitalIdentity, NationalIdentifier
from selfcare.identity.services import change_personal_code


class NationalIdentifierInline(ReadOnlyInline):
    model = NationalIdentifier
    fields = readonly_fields = ("country", "code", "created_at", "superseded_at")


class AuthenticationInline(ReadOnlyInline):
    model = AuthenticationRecord
    fields = readonly_fields = ("occurred_at", "method", "level", "result", "reason", "ip_address")
    ordering = ["-occurred_at"]
    max_num = 20


class LockoutClearedInline(ReadOnlyInline):
    model = FailureLockoutCleared
    fields = readonly_fields = ("cleared_at", "cleared_by", "failures")
    ordering = ["-cleared_at"]
    verbose_name_plural = _("Cleared one-time code lockouts")


class CodeChangeForm(forms.Form):
    new_code = forms.CharField(label=_("New personal code"), max_length=20)


@admin.register(DigitalIdentity, site=backoffice_site)
class DigitalIdentityAdmin(IdentifierSearchMixin, admin.ModelAdmin[DigitalIdentity]):
    list_display = ["id", "given_name", "family_name", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["family_name"]
    identifier_fields = ("identifiers__code",)
    text_fields = ("given_name", "family_name")
    readonly_fields = [
        "id",
        "user",
        "given_name",
        "family_name",
        "created_at",
        "names_verified_at",
        "code_change",
        "code_lockout",
    ]
    fields = [
        "id",
        "given_name",
        "family_name",
        "status",
        "created_at",
        "names_verified_at",
        "code_change",
        "code_lockout",
    ]
    inlines = [NationalIdentifierInline, AuthenticationInline, LockoutClearedInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # identities are created by a trusted eID login, never by hand

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        found, _duplicates = super().get_search_results(request, queryset, search_term)
        return found.distinct(), False

    @admin.display(description=_("personal code change"))
    def code_change(self, obj: DigitalIdentity) -> str:
        url = reverse("backoffice:identity_digitalidentity_change_code", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Record a change of personal code"))

    @admin.display(description=_("work-number codes"))
    def code_lockout(self, obj: DigitalIdentity) -> str:
        failures = otp.consecutive_failures(obj)
        if failures < otp.MAX_CONSECUTIVE_FAILURES:
            return str(_("Not locked (wrong codes in a row: %(failures)s).") % {"failures": failures})
        url = reverse("backoffice:identity_digitalidentity_clear_lockout", args=[obj.pk])
        return format_html(
            '{} <a href="{}">{}</a>',
            _("Locked (wrong codes in a row: %(failures)s).") % {"failures": failures},
            url,
            _("Clear the lockout"),
        )

    def get_urls(self) -> list[URLPattern]:
        change_code = self.admin_site.admin_view(self.change_code_view)
        clear_lockout = self.admin_site.admin_view(self.clear_lockout_view)
        return [
            path("<uuid:pk>/change-code/", change_code, name="identity_digitalidentity_change_code"),
            path("<uuid:pk>/clear-lockout/", clear_lockout, name="identity_digitalidentity_clear_lockout"),
            *super().get_urls(),
        ]

    def clear_lockout_view(self, request: HttpRequest, pk: str) -> HttpResponse:
        """Customer service confirms, after checking who is calling, that the person may ask for codes again."""
        identity = get_object_or_404(DigitalIdentity, pk=pk)
        if not self.has_change_permission(request, identity):
            return redirect("backoffice:index")
        if request.method == "POST":
            assert isinstance(request.user, User)
            try:
                clear_failure_lockout(request=request, identity=identity, staff=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("The lockout is cleared: the person can ask for a work-number code again."))
            return redirect("backoffice:identity_digitalidentity_change", identity.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Clear the one-time code lockout"),
            "identity": identity,
            "failures": otp.consecutive_failures(identity),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "backoffice/clear_lockout.html", context)

    def change_code_view(self, request: HttpRequest, pk: str) -> HttpResponse:
        identity = get_object_or_404(DigitalIdentity, pk=pk)
        if not self.has_change_permission(request, identity):
            return redirect("backoffice:index")
        form = CodeChangeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                change_personal_code(identity=identity, new_code=form.cleaned_data["new_code"])
            except ValidationError as error:
                form.add_error("new_code", error)
            else:
                messages.success(request, _("The new personal code now resolves to the same digital identity."))
                return redirect("backoffice:identity_digitalidentity_change", identity.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Record a change of personal code"),
            "identity": identity,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "backoffice/change_code.html", context)


@admin.register(AuthenticationRecord, site=backoffice_site)
class AuthenticationRecordAdmin(ReadOnlyAdmin, admin.ModelAdmin[AuthenticationRecord]):
    list_display = ["occurred_at", "method", "level", "result", "reason", "identity", "ip_address"]
    list_filter = ["method", "result"]
    list_select_related = ["identity"]
    date_hierarchy = "occurred_at"
