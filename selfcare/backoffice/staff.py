"""Back office for staff access: staff roles (administrators grant and remove them; auditors read them), the
four-eyes requests (a second staff member approves or rejects), and the OAuth clients of the OpenID provider
(administrators). Every write goes through selfcare.access.services: audited, and four eyes where it matters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import Application

from selfcare.access.models import ApprovalKind, ApprovalRequest, ApprovalStatus, StaffRole, StaffRoleGrant
from selfcare.access.services import Staff, approval_decide, role_grant, role_revoke
from selfcare.access.staff import Op, Resource, may_approve
from selfcare.audit.services import record
from selfcare.backoffice.site import (
    ReadOnlyAdmin,
    StaffModelAdmin,
    acting,
    backoffice_site,
    fresh_login_required,
    staff_identity,
    staff_roles,
)
from selfcare.identifiers import PersonalCode
from selfcare.identifiers.personal_code import TYPING_HELP
from selfcare.identity.models import DigitalIdentity
from selfcare.identity.selectors import identity_with_code


class RoleGrantForm(forms.ModelForm):  # type: ignore[type-arg]
    """A role is given to a person by their personal code: they must have logged in with eID once."""

    personal_code = forms.CharField(label=_("Personal code"), max_length=24, help_text=TYPING_HELP)

    class Meta:
        model = StaffRoleGrant
        fields = ["role"]

    def clean_personal_code(self) -> DigitalIdentity:
        identity = identity_with_code(PersonalCode.parse(self.cleaned_data["personal_code"]))
        if identity is None:
            raise ValidationError(_("Nobody with this personal code has logged in yet: they log in with eID first."))
        return identity


@admin.register(StaffRoleGrant, site=backoffice_site)
class StaffRoleGrantAdmin(StaffModelAdmin[StaffRoleGrant]):
    resource = Resource.STAFF_ROLES
    form = RoleGrantForm
    list_display = ["identity", "role", "granted_at", "granted_by", "approved_by", "revoked_at", "revoked_by"]
    list_filter = ["role"]
    list_select_related = ["identity", "granted_by", "approved_by", "revoked_by"]
    actions = ["revoke"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Grants are never edited: a role is given (add) or removed (the action). The action needs "change".
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:  # type: ignore[override]
        if obj is None:
            return ["personal_code", "role"]
        return ["identity", "role", "granted_at", "granted_by", "approved_by", "revoked_at", "revoked_by"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [] if obj is None else self.get_fields(request, obj)

    def save_model(self, request: HttpRequest, obj: StaffRoleGrant, form: Any, change: bool) -> None:
        raise AssertionError("roles are granted in response_add's service call")  # pragma: no cover

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if request.method == "POST":
            form = RoleGrantForm(request.POST)
            if form.is_valid():
                role = StaffRole(form.cleaned_data["role"])
                if role == StaffRole.ADMINISTRATOR:
                    stale = fresh_login_required(request, request.path)
                    if stale is not None:
                        return stale
                try:
                    result = role_grant(
                        request=request,
                        identity=form.cleaned_data["personal_code"],
                        role=role,
                        by=acting(request, self.resource, Op.ADD),
                    )
                except ValidationError as error:
                    messages.error(request, " ".join(error.messages))
                    return redirect(request.path)
                if isinstance(result, ApprovalRequest):
                    messages.success(request, _("Sent for approval: a second administrator must approve this role."))
                    return redirect("backoffice:access_approvalrequest_change", result.pk)
                messages.success(request, _("The role is granted."))
                return redirect("backoffice:access_staffrolegrant_changelist")
        return super().add_view(request, form_url, extra_context)

    @admin.action(description=_("Remove the selected roles"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[StaffRoleGrant]) -> None:
        by = acting(request, self.resource, Op.CHANGE)
        done = 0
        for grant in queryset.filter(revoked_at__isnull=True):
            role_revoke(request=request, grant=grant, by=by)
            done += 1
        self.message_user(request, _("%(count)d roles removed.") % {"count": done}, messages.SUCCESS)


@admin.register(ApprovalRequest, site=backoffice_site)
class ApprovalRequestAdmin(ReadOnlyAdmin, StaffModelAdmin[ApprovalRequest]):
    """The queue of four-eyes requests. A staff member sees the requests of the kinds they may decide (auditors:
    all, read only) and approves or rejects those that someone else asked for."""

    resource = Resource.APPROVALS
    list_display = ["requested_at", "kind", "status", "requested_role", "requested_by", "decided_by", "decided_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["requested_by", "decided_by"]
    fields = readonly_fields = [  # type: ignore[assignment]
        "kind",
        "status",
        "target",
        "reason",
        "requested_by",
        "requested_role",
        "requested_at",
        "decided_by",
        "decided_role",
        "decided_at",
        "outcome",
    ]
    change_form_template = "backoffice/approval_change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApprovalRequest]:
        found = super().get_queryset(request)
        roles = staff_roles(request)
        if StaffRole.AUDITOR in roles:
            return found
        kinds = [kind for kind in ApprovalKind if may_approve(roles, kind)]
        return found.filter(kind__in=kinds)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if not request.GET and self.has_view_permission(request):
            return redirect(f"{request.path}?status__exact={ApprovalStatus.PENDING}")
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("what"))
    def target(self, obj: ApprovalRequest) -> str:
        if obj.kind == ApprovalKind.MANDATE_ACTIVATE:
            return str(_("Power of attorney no. %(id)s") % {"id": obj.target_id})
        person = obj.subject.full_name if obj.subject else obj.target_id
        if obj.kind == ApprovalKind.CODE_CHANGE:
            code = str(obj.payload.get("new_code", ""))
            return str(
                _("%(person)s: new personal code %(code)s") % {"person": person, "code": f"{code[:6]}-{code[6:]}"}
            )
        return str(_("%(person)s: administrator") % {"person": person})

    @admin.display(description=_("reason"))
    def reason(self, obj: ApprovalRequest) -> str:
        return str(obj.payload.get("reason", "")) or "—"

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        approval = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if approval is not None and approval.status == ApprovalStatus.PENDING:
            decider = may_approve(staff_roles(request), ApprovalKind(approval.kind))
            identity = staff_identity(request)
            context["may_decide"] = (
                decider is not None and identity is not None and approval.requested_by_id != identity.pk
            )
            context["own_request"] = identity is not None and approval.requested_by_id == identity.pk
        return super().change_view(request, object_id, form_url, context)

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.decide_view)
        return [path("<int:pk>/decide/<str:step>/", view, name="access_approvalrequest_decide"), *super().get_urls()]

    def decide_view(self, request: HttpRequest, pk: int, step: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        approval = get_object_or_404(self.get_queryset(request), pk=pk)
        if step not in ("approve", "reject"):
            return redirect("backoffice:index")
        page = reverse("backoffice:access_approvalrequest_change", args=[approval.pk])
        stale = fresh_login_required(request, page)
        if stale is not None:
            return stale
        role = may_approve(staff_roles(request), ApprovalKind(approval.kind))
        identity = staff_identity(request)
        if role is None or identity is None:
            raise PermissionDenied
        try:
            done = approval_decide(
                request=request, approval=approval, approve=step == "approve", by=Staff(identity, role)
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if done.status == ApprovalStatus.FAILED:
                messages.error(request, _("Approved, but the action was refused: %(why)s") % {"why": done.outcome})
            else:
                messages.success(request, _("Done: %(status)s.") % {"status": done.get_status_display()})
        return redirect(page)


class ApplicationForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Application
        fields = [
            "name",
            "client_id",
            "client_type",
            "authorization_grant_type",
            "client_secret",
            "redirect_uris",
            "post_logout_redirect_uris",
            "algorithm",
            "skip_authorization",
        ]


@admin.register(Application, site=backoffice_site)
class ApplicationAdmin(StaffModelAdmin[Application]):
    """The OpenID provider's clients (the web portal, the mobile app). A client's secret is stored hashed: copy it
    from the form when adding the client, it cannot be read later."""

    resource = Resource.OAUTH_CLIENTS
    form = ApplicationForm
    list_display = ["name", "client_id", "client_type", "authorization_grant_type", "skip_authorization"]
    list_filter = ["client_type"]
    search_fields = ["name", "client_id"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:  # type: ignore[override]
        fields = list(ApplicationForm.Meta.fields)
        return fields if obj is None else [f for f in fields if f != "client_secret"]

    def save_model(self, request: HttpRequest, obj: Application, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        staff = acting(request, self.resource, Op.CHANGE if change else Op.ADD)
        record(request, "access:oauth-client:saved", identity=staff.identity, target=obj, staff_role=staff.role)

    def delete_model(self, request: HttpRequest, obj: Application) -> None:
        staff = acting(request, self.resource, Op.DELETE)
        record(request, "access:oauth-client:deleted", identity=staff.identity, target=obj, staff_role=staff.role)
        super().delete_model(request, obj)
