"""Back office for digital identities: look a person up, see their codes and logins, record a code change.

Authentication records are the audit trail: staff read them, nobody edits or deletes them here.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from selfcare.access.models import ApprovalKind
from selfcare.access.services import approval_request
from selfcare.access.staff import Op, Resource
from selfcare.backoffice.site import (
    IdentifierSearchMixin,
    ReadOnlyAdmin,
    ReadOnlyInline,
    StaffModelAdmin,
    acting,
    backoffice_site,
    fresh_login_required,
    may,
    staff_user,
)
from selfcare.binding import otp
from selfcare.binding.models import FailureLockoutCleared
from selfcare.binding.services import clear_failure_lockout
from selfcare.identifiers import PersonalCode
from selfcare.identity.models import AuthenticationRecord, DigitalIdentity, NationalIdentifier


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
    fields = readonly_fields = ("cleared_at", "staff_member", "failures")
    ordering = ["-cleared_at"]
    verbose_name_plural = _("Cleared one-time code lockouts")

    @admin.display(description=_("staff member"))
    def staff_member(self, obj: FailureLockoutCleared) -> str:
        identity = DigitalIdentity.objects.filter(user_id=obj.cleared_by_id).first()
        return identity.full_name if identity else str(obj.cleared_by)


_REQUEST: ContextVar[HttpRequest | None] = ContextVar("backoffice_identity_request", default=None)


class CodeChangeForm(forms.Form):
    new_code = forms.CharField(label=_("New personal code"), max_length=20)


@admin.register(DigitalIdentity, site=backoffice_site)
class DigitalIdentityAdmin(IdentifierSearchMixin, StaffModelAdmin[DigitalIdentity]):
    resource = Resource.IDENTITIES
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

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # nothing here is edited as a form: a code change and a lockout have their own steps

    def subject_of(self, obj: DigitalIdentity) -> tuple[DigitalIdentity | None, int | None]:
        return obj, None

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        found, _duplicates = super().get_search_results(request, queryset, search_term)
        return found.distinct(), False

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # The display columns below show links only to who may follow them; the admin is shared by all requests,
        # so the request travels in a context variable, not on the instance.
        token = _REQUEST.set(request)
        try:
            response = super().change_view(request, object_id, form_url, extra_context)
            if isinstance(response, TemplateResponse):
                response.render()  # the columns are drawn while rendering: inside this request's context
            return response
        finally:
            _REQUEST.reset(token)

    def _may(self, op: Op) -> bool:
        request = _REQUEST.get()
        return request is not None and may(request, self.resource, op)

    @admin.display(description=_("personal code change"))
    def code_change(self, obj: DigitalIdentity) -> str:
        if not self._may(Op.CHANGE_CODE):
            return "—"
        url = reverse("backoffice:identity_digitalidentity_change_code", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Record a change of personal code"))

    @admin.display(description=_("work-number codes"))
    def code_lockout(self, obj: DigitalIdentity) -> str:
        failures = otp.consecutive_failures(obj)
        if failures < otp.MAX_CONSECUTIVE_FAILURES:
            return str(_("Not locked (wrong codes in a row: %(failures)s).") % {"failures": failures})
        if not self._may(Op.CLEAR_LOCKOUT):
            return str(_("Locked (wrong codes in a row: %(failures)s).") % {"failures": failures})
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
        if not may(request, self.resource, Op.CLEAR_LOCKOUT):
            return redirect("backoffice:index")
        if request.method == "POST":
            try:
                clear_failure_lockout(
                    request=request,
                    identity=identity,
                    staff=staff_user(request),
                    staff_role=acting(request, self.resource, Op.CLEAR_LOCKOUT).role,
                )
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
        """The first of two steps (four eyes): the change is asked here and done when a second staff member
        approves it under "Four-eyes requests". Both need a recent eID login."""
        identity = get_object_or_404(DigitalIdentity, pk=pk)
        if not may(request, self.resource, Op.CHANGE_CODE):
            return redirect("backoffice:index")
        stale = fresh_login_required(request, request.path)
        if stale is not None:
            return stale
        form = CodeChangeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                new_code = PersonalCode.parse(form.cleaned_data["new_code"]).code
                approval = approval_request(
                    request=request,
                    kind=ApprovalKind.CODE_CHANGE,
                    target_id=str(identity.pk),
                    payload={"new_code": new_code},
                    by=acting(request, self.resource, Op.CHANGE_CODE),
                    subject=identity,
                )
            except ValidationError as error:
                form.add_error("new_code", error)
            else:
                messages.success(
                    request, _("The change is asked: a second staff member must approve it before it is made.")
                )
                return redirect("backoffice:access_approvalrequest_change", approval.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Record a change of personal code"),
            "identity": identity,
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "backoffice/change_code.html", context)


@admin.register(AuthenticationRecord, site=backoffice_site)
class AuthenticationRecordAdmin(ReadOnlyAdmin, StaffModelAdmin[AuthenticationRecord]):
    resource = Resource.AUTHENTICATIONS
    list_display = ["occurred_at", "method", "level", "result", "reason", "identity", "ip_address"]
    list_filter = ["method", "result"]
    list_select_related = ["identity"]
    date_hierarchy = "occurred_at"

    def subject_of(self, obj: AuthenticationRecord) -> tuple[DigitalIdentity | None, int | None]:
        return obj.identity, None
