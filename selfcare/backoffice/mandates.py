"""Back office for powers of attorney: the queue of submitted ones with their validation results, activate or
reject with a reason, revoke, register a document received by e-mail, and the representatives table.

States change only through selfcare.mandates.services (never by editing the row), so every step has its history
row and audit event. Documents are downloaded as attachments with a sandboxing CSP: an uploaded file is never
rendered by the browser in the portal's origin.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from selfcare.access.services import Staff, mandates_attorney, request_mandate_activation
from selfcare.access.staff import Op, Resource
from selfcare.backoffice.site import (
    IdentifierSearchMixin,
    ReadOnlyInline,
    StaffModelAdmin,
    acting,
    backoffice_site,
    fresh_login_required,
    may,
    staff_user,
)
from selfcare.customers.models import Company
from selfcare.identifiers import PersonalCode, display_code, parse_msisdn, parse_registration_number
from selfcare.identifiers.personal_code import TYPING_HELP
from selfcare.identity.models import DigitalIdentity
from selfcare.mandates import documents, services
from selfcare.mandates.models import (
    DocumentChannel,
    Mandate,
    MandateDocument,
    MandateEvent,
    MandateStatus,
    Representative,
)

CONTENT_TYPES = {"pdf": "application/pdf", "asice": "application/vnd.etsi.asic-e+zip"}


def download_response(document: MandateDocument) -> HttpResponse:
    """The stored file as a download that no browser renders in our origin (SECURITY.md "Documents")."""
    content_type = CONTENT_TYPES.get(document.kind, "application/octet-stream")
    response = HttpResponse(documents.read(document), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.stored_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "no-store"
    return response


class EventInline(ReadOnlyInline):
    model = MandateEvent
    fields = readonly_fields = (
        "occurred_at",
        "step",
        "from_status",
        "to_status",
        "actor",
        "identity",
        "staff",
        "reason",
    )

    @admin.display(description=_("step"))
    def step(self, obj: MandateEvent) -> str:
        return obj.step_label


class DocumentInline(ReadOnlyInline):
    model = MandateDocument
    fields = readonly_fields = ("download", "kind", "size", "channel", "uploaded_at", "signers", "check_result")

    @admin.display(description=_("file"))
    def download(self, obj: MandateDocument) -> str:
        url = reverse("backoffice:mandates_mandate_document", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name or obj.stored_name)

    @admin.display(description=_("signers"))
    def signers(self, obj: MandateDocument) -> str:
        rows = [
            (s.get("name", ""), s.get("personal_code") or "—", _("valid") if s.get("valid") else _("not valid"))
            for s in obj.report.get("signers", [])
        ]
        return format_html_join("", "<div>{} ({}): {}</div>", rows) or "—"

    @admin.display(description=_("check"))
    def check_result(self, obj: MandateDocument) -> str:
        if not obj.problems:
            return str(_("signatures valid, signed by the representatives"))
        return format_html_join("", "<div>{}</div>", ((documents.problem_text(p),) for p in obj.problems))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class RegisterForm(forms.Form):
    """A signed power of attorney that arrived by e-mail, registered for the company by staff."""

    registration_number = forms.CharField(label=_("Company registration number"), max_length=20)
    attorney_code = forms.CharField(label=_("Attorney's personal code"), max_length=24, help_text=TYPING_HELP)
    attorney_name = forms.CharField(label=_("Attorney's name and surname"), max_length=200)
    valid_from = forms.DateField(label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"}))
    attorney_phone = forms.CharField(label=_("Attorney's mobile number"), max_length=30, required=False)
    attorney_email = forms.EmailField(label=_("Attorney's e-mail"), required=False)
    document = forms.FileField(label=_("Signed document (PDF or .edoc)"))

    def clean_registration_number(self) -> Company:
        number = parse_registration_number(self.cleaned_data["registration_number"])
        company = Company.objects.filter(registration_number=number).first()
        if company is None:
            raise ValidationError(_("No customer company has this registration number."))
        return company

    def clean_attorney_code(self) -> str:
        # With its country (PNOLT-38507201238): services.mandate_create reads it again and keeps both.
        return PersonalCode.parse(self.cleaned_data["attorney_code"]).etsi

    def clean_attorney_phone(self) -> str:
        text = self.cleaned_data["attorney_phone"].strip()
        return parse_msisdn(text) if text else ""


@admin.register(Mandate, site=backoffice_site)
class MandateAdmin(IdentifierSearchMixin, StaffModelAdmin[Mandate]):
    resource = Resource.MANDATES
    """The changelist opens on the queue (submitted); the change page shows the documents, history and decisions."""

    list_display = ["attorney_name", "company", "status", "verified", "valid_from", "valid_until", "created_at"]
    list_filter = ["status", "verified"]
    list_select_related = ["company"]
    search_fields = ["attorney_name"]
    identifier_fields = ("attorney_code", "company__registration_number")
    text_fields = ("attorney_name", "company__name")
    readonly_fields = [
        "company",
        "attorney_name",
        "attorney_personal_code",
        "rights",
        "scope",
        "selected_numbers",
        "valid_from",
        "valid_until",
        "status",
        "status_reason",
        "verified",
        "attorney_phone",
        "attorney_email",
        "reference",
        "created_by",
        "created_at",
    ]
    fields = tuple(readonly_fields)
    inlines = [DocumentInline, EventInline]
    change_form_template = "backoffice/mandate_change_form.html"
    change_list_template = "backoffice/mandate_change_list.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a mandate starts in the portal, or by registering a document received by e-mail

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the row is never edited as a form: states change only by the decisions below

    def may_edit(self, request: HttpRequest) -> bool:
        return may(request, self.resource, Op.DECIDE)  # its page is where the decisions are made

    def subject_of(self, obj: Mandate) -> tuple[DigitalIdentity | None, int | None]:
        return mandates_attorney(obj), obj.company_id

    @admin.display(description=_("attorney's personal code"))
    def attorney_personal_code(self, obj: Mandate) -> str:
        return display_code(obj.attorney_country, obj.attorney_code)  # "LT 38507201238": the country plainly

    @admin.display(description=_("selected connections"))
    def selected_numbers(self, obj: Mandate) -> str:
        return ", ".join(obj.connections.order_by("msisdn").values_list("msisdn", flat=True)) or "—"

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if not request.GET and self.has_view_permission(request):
            return HttpResponseRedirect(f"{request.path}?status__exact={MandateStatus.SUBMITTED}")
        context = {**(extra_context or {})}
        if may(request, self.resource, Op.DECIDE):
            context["register_url"] = reverse("backoffice:mandates_mandate_register")
        return super().changelist_view(request, context)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        mandate = self.get_object(request, object_id)
        context = {**(extra_context or {}), "reason_form": ReasonForm()}
        if mandate is not None and may(request, self.resource, Op.DECIDE):
            context["four_eyes"] = not mandate.verified
            context["decisions"] = {
                "activate": mandate.status == MandateStatus.SUBMITTED,
                "reject": mandate.status == MandateStatus.SUBMITTED,
                "revoke": mandate.status == MandateStatus.ACTIVE,
            }
        return super().change_view(request, object_id, form_url, context)

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("register/", view(self.register_view), name="mandates_mandate_register"),
            path("<int:pk>/decide/<str:step>/", view(self.decide_view), name="mandates_mandate_decide"),
            path("documents/<int:pk>/", view(self.document_view), name="mandates_mandate_document"),
            *super().get_urls(),
        ]

    def document_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        document = get_object_or_404(MandateDocument, pk=pk)
        if not self.has_view_permission(request, document.mandate):
            return redirect("backoffice:index")
        return download_response(document)

    def decide_view(self, request: HttpRequest, pk: int, step: str) -> HttpResponse:
        return _decide(self, request, pk, step)

    def register_view(self, request: HttpRequest) -> HttpResponse:
        if not may(request, self.resource, Op.DECIDE):
            return redirect("backoffice:index")
        form = RegisterForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            by = services.By(staff=staff_user(request), staff_role=acting(request, self.resource, Op.DECIDE).role)
            try:
                with transaction.atomic():  # a file refused after the mandate was made leaves no draft behind
                    mandate = _register(request, by, data)
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for field, errors in error.error_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, error)
            else:
                messages.success(request, _("The document is registered and the power of attorney is in the queue."))
                return redirect("backoffice:mandates_mandate_change", mandate.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Register a power of attorney received by e-mail"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "backoffice/mandate_register.html", context)


def _register(request: HttpRequest, by: services.By, data: dict[str, Any]) -> Mandate:
    mandate = services.mandate_create(
        request=request,
        by=by,
        context=None,
        company=data["registration_number"],
        attorney_code=data["attorney_code"],
        attorney_name=data["attorney_name"],
        valid_from=data["valid_from"],
        valid_until=data["valid_until"],
        attorney_phone=data["attorney_phone"],
        attorney_email=data["attorney_email"],
    )
    upload = data["document"]
    documents.document_attach(
        request=request,
        mandate=mandate,
        data=upload.read(settings.SIGNED_DOCUMENT_MAX_BYTES + 1),
        original_name=upload.name or "",
        channel=DocumentChannel.EMAIL,
        by=by,
        context=None,
    )
    return mandate


STEPS = {"activate": services.mandate_activate, "reject": services.mandate_reject, "revoke": services.mandate_revoke}


def _decide(admin_: MandateAdmin, request: HttpRequest, pk: int, step: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    mandate = get_object_or_404(Mandate, pk=pk)
    if step not in STEPS or not may(request, admin_.resource, Op.DECIDE):
        return redirect("backoffice:index")
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    staff = acting(request, admin_.resource, Op.DECIDE)
    if step == "activate" and not mandate.verified and mandate.status == MandateStatus.SUBMITTED:
        return _ask_for_activation(request, mandate, reason, staff)
    try:
        STEPS[step](
            request=request,
            mandate=mandate,
            by=services.By(staff=staff_user(request), staff_role=staff.role),
            reason=reason,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        status = mandate.get_status_display()
        messages.success(request, _("Done: the power of attorney is now %(status)s.") % {"status": status})
    return redirect("backoffice:mandates_mandate_change", mandate.pk)


def _ask_for_activation(request: HttpRequest, mandate: Mandate, reason: str, staff: Staff) -> HttpResponse:
    """A power of attorney that failed verification is activated only with a second staff member's approval
    (four eyes), asked here with a recent eID login."""
    change_page = reverse("backoffice:mandates_mandate_change", args=[mandate.pk])
    stale = fresh_login_required(request, change_page)
    if stale is not None:
        return stale
    try:
        approval = request_mandate_activation(request=request, mandate=mandate, reason=reason, by=staff)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(change_page)
    messages.success(request, _("Sent for approval: a second staff member must approve this activation."))
    return redirect("backoffice:access_approvalrequest_change", approval.pk)


@admin.register(Representative, site=backoffice_site)
class RepresentativeAdmin(IdentifierSearchMixin, StaffModelAdmin[Representative]):
    resource = Resource.REPRESENTATIVES
    list_display = ["name", "company", "position", "representation", "signatures_required", "source"]
    list_filter = ["representation", "source"]
    list_select_related = ["company"]
    search_fields = ["name"]
    autocomplete_fields = ["company"]
    identifier_fields = ("company__registration_number", "personal_code")
    text_fields = ("name", "company__name")
    fields = [
        "company",
        "name",
        "code_prefix",
        "personal_code",
        "position",
        "representation",
        "signatures_required",
        "source",
        "source_id",
    ]
    readonly_fields = ["source", "source_id"]

    def subject_of(self, obj: Representative) -> tuple[DigitalIdentity | None, int | None]:
        person = None
        if obj.personal_code:
            person = DigitalIdentity.objects.filter(identifiers__code=obj.personal_code).first()
        return person, obj.company_id

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "personal_code" and isinstance(field, forms.CharField):
            # Staff type "325791-04511"; the 11-digit limit applies to the stored form, not to what is typed.
            field.max_length = 20
            field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
            field.widget.attrs["maxlength"] = "20"
        return field
