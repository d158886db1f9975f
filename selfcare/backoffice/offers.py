"""Back office for Tele2 Komplimenti: create and edit offers (texts in lv/en/ru, a picture), upload or generate
partner code pools, see claims, export them as CSV, and settle free-month claims by hand."""

from __future__ import annotations

import csv
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from selfcare.access.staff import Op, Resource
from selfcare.backoffice.site import ReadOnlyAdmin, StaffModelAdmin, backoffice_site, may, staff_roles
from selfcare.errors import MESSAGES, ErrorCode
from selfcare.exports import safe_cell
from selfcare.identity.models import DigitalIdentity
from selfcare.offers.codes import MAX_CODES_PER_POOL, generate_codes, upload_codes
from selfcare.offers.images import MAX_BYTES, clean_image
from selfcare.offers.models import (
    ClaimState,
    CodePool,
    CompanyOfferSetting,
    Offer,
    OfferClaim,
    OfferImage,
    OfferKind,
)
from selfcare.offers.services import cancel_claim, mark_fulfilled, save_offer

CODES_FILE_MAX_BYTES = 5 * 1024 * 1024


class OfferForm(forms.ModelForm):  # type: ignore[type-arg]
    link = forms.URLField(label=_("link"), required=False, assume_scheme="https")
    picture = forms.FileField(
        label=_("Picture"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 2 MB; it is checked and re-encoded by the server."),
    )
    remove_picture = forms.BooleanField(label=_("Remove the picture"), required=False)

    class Meta:
        model = Offer
        fields = [
            "slug",
            "status",
            "kind",
            "partner",
            "link",
            "title_lv",
            "description_lv",
            "title_en",
            "description_en",
            "title_ru",
            "description_ru",
            "data_bytes",
            "data_valid_days",
            "service_name",
            "valid_from",
            "valid_until",
            "for_private",
            "for_company",
            "for_employees",
            "tariff_plans",
            "min_tenure_days",
            "welcome_days",
            "limit",
            "stock_total",
        ]

    def clean_picture(self) -> Any:
        upload = self.cleaned_data.get("picture")
        if not upload:
            return None
        if upload.size > MAX_BYTES:  # refused before reading it
            raise ValidationError(MESSAGES[ErrorCode.OFFER_IMAGE_TOO_LARGE], code=ErrorCode.OFFER_IMAGE_TOO_LARGE)
        return clean_image(upload.read())

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        kind = data.get("kind")
        if kind == OfferKind.DATA_GIFT and not (data.get("data_bytes") and data.get("data_valid_days")):
            raise ValidationError(_("A data gift needs the amount of data and how many days it is valid."))
        if kind == OfferKind.SERVICE_GIFT and not data.get("service_name"):
            self.add_error("service_name", _("Name the service that is given for a month."))
        if kind == OfferKind.SPECIAL and not data.get("link"):
            self.add_error("link", _("A special offer needs a link to its details."))
        if not (data.get("for_private") or data.get("for_company") or data.get("for_employees")):
            raise ValidationError(_("Choose at least one group of customers the offer is for."))
        return data


class CodePoolInline(admin.TabularInline):  # type: ignore[type-arg]
    model = CodePool
    extra = 0
    can_delete = False
    fields = readonly_fields = ("name", "source", "created_at", "size", "given")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(staff_roles(request))  # shown with its offer: the offer's page is the access decision

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[CodePool]:
        pools: QuerySet[CodePool] = super().get_queryset(request)
        return pools.annotate(
            code_count=Count("codes"), given_count=Count("codes", filter=Q(codes__claim__isnull=False))
        )

    @admin.display(description=_("codes"))
    def size(self, pool: Any) -> int:
        return int(pool.code_count)

    @admin.display(description=_("given"))
    def given(self, pool: Any) -> int:
        return int(pool.given_count)


@admin.register(Offer, site=backoffice_site)
class OfferAdmin(StaffModelAdmin[Offer]):
    resource = Resource.OFFERS
    form = OfferForm
    list_display = ["slug", "title_en", "kind", "status", "valid_from", "valid_until", "stock", "claims_link"]
    list_filter = ["status", "kind"]
    search_fields = ["slug", "title_lv", "title_en", "title_ru", "partner"]
    filter_horizontal = ["tariff_plans"]
    readonly_fields = ["stock_left", "codes_link"]
    inlines = [CodePoolInline]
    fieldsets = [
        (None, {"fields": ["slug", "status", "kind", "partner", "link"]}),
        (
            _("Texts"),
            {"fields": ["title_lv", "description_lv", "title_en", "description_en", "title_ru", "description_ru"]},
        ),
        (_("Picture"), {"fields": ["picture", "remove_picture"]}),
        (_("Reward"), {"fields": ["data_bytes", "data_valid_days", "service_name", "codes_link"]}),
        (
            _("When and for whom"),
            {
                "fields": [
                    "valid_from",
                    "valid_until",
                    "for_private",
                    "for_company",
                    "for_employees",
                    "tariff_plans",
                    "min_tenure_days",
                    "welcome_days",
                ]
            },
        ),
        (_("Limits"), {"fields": ["limit", "stock_total", "stock_left"]}),
    ]

    @admin.display(description=_("stock"))
    def stock(self, offer: Offer) -> str:
        return "∞" if offer.stock_total is None else f"{offer.stock_left} / {offer.stock_total}"

    @admin.display(description=_("claims"))
    def claims_link(self, offer: Offer) -> str:
        url = reverse("backoffice:offers_offerclaim_changelist") + f"?offer__id__exact={offer.pk}"
        return format_html('<a href="{}">{}</a>', url, _("Claims"))

    @admin.display(description=_("partner codes"))
    def codes_link(self, offer: Offer) -> str:
        if offer.pk is None or offer.kind != OfferKind.PARTNER:
            return "—"
        url = reverse("backoffice:offers_offer_codes", args=[offer.pk])
        return format_html('<a href="{}">{}</a>', url, _("Upload or generate codes"))

    def save_model(self, request: HttpRequest, obj: Offer, form: Any, change: bool) -> None:
        save_offer(offer=obj)
        picture = form.cleaned_data.get("picture")
        if picture is not None:
            OfferImage.objects.update_or_create(
                offer=obj,
                defaults={
                    "content": picture.content,
                    "content_type": picture.content_type,
                    "width": picture.width,
                    "height": picture.height,
                },
            )
        elif form.cleaned_data.get("remove_picture"):
            OfferImage.objects.filter(offer=obj).delete()

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.codes_view)
        return [path("<int:pk>/codes/", view, name="offers_offer_codes"), *super().get_urls()]

    def codes_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        offer = get_object_or_404(Offer, pk=pk, kind=OfferKind.PARTNER)
        if not self.has_change_permission(request, offer):
            return redirect("backoffice:index")
        upload = CodeUploadForm(request.POST if request.POST.get("form") == "upload" else None, request.FILES or None)
        generate = CodeGenerateForm(request.POST if request.POST.get("form") == "generate" else None)
        report = None
        if request.method == "POST" and upload.is_bound and upload.is_valid():
            report = upload_codes(offer=offer, name=upload.cleaned_data["name"], text=upload.text())
            if report.ok:
                messages.success(request, _("%(count)d codes added.") % {"count": report.added})
                return HttpResponseRedirect(request.path)
        if request.method == "POST" and generate.is_bound and generate.is_valid():
            pool = generate_codes(
                offer=offer,
                name=generate.cleaned_data["name"],
                count=generate.cleaned_data["count"],
                prefix=generate.cleaned_data["code_prefix"],
            )
            messages.success(request, _("%(count)d codes generated.") % {"count": pool.codes.count()})
            return HttpResponseRedirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Partner codes"),
            "offer": offer,
            "upload": upload,
            "generate": generate,
            "report": report,
            "report_message": MESSAGES[report.error] if report and report.error else "",
            "free": offer.codes.filter(claim__isnull=True).count(),
            "given": offer.codes.filter(claim__isnull=False).count(),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "backoffice/offer_codes.html", context)


class CodeUploadForm(forms.Form):
    name = forms.CharField(label=_("Name of the list"), max_length=100)
    codes_file = forms.FileField(label=_("File (CSV or text, one code per line)"), required=False)
    codes_text = forms.CharField(label=_("Or paste the codes"), widget=forms.Textarea, required=False)

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        upload = data.get("codes_file")
        if upload is not None:
            if upload.size > CODES_FILE_MAX_BYTES:
                raise ValidationError(_("The file is too large: at most 5 MB."))
            try:
                data["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ValidationError(_("The file must be UTF-8 text.")) from None
        else:
            data["text"] = data.get("codes_text", "")
        if not data["text"].strip():
            raise ValidationError(_("Choose a file or paste the codes."))
        return data

    def text(self) -> str:
        return str(self.cleaned_data["text"])


class CodeGenerateForm(forms.Form):
    name = forms.CharField(label=_("Name of the batch"), max_length=100)
    count = forms.IntegerField(label=_("How many codes"), min_value=1, max_value=MAX_CODES_PER_POOL)
    code_prefix = forms.RegexField(
        label=_("Prefix"),
        regex=r"^[A-Z0-9-]{0,10}$",
        required=False,
        help_text=_("e.g. KAF- (capitals, digits, hyphen)"),
    )


@admin.register(OfferClaim, site=backoffice_site)
class OfferClaimAdmin(StaffModelAdmin[OfferClaim]):
    resource = Resource.CLAIMS
    list_display = [
        "claimed_at",
        "offer",
        "connection",
        "identity",
        "context",
        "state",
        "code",
        "data_bytes",
        "valid_until",
    ]
    list_filter = ["state", "offer", "context"]
    list_select_related = ["offer", "connection", "identity", "partner_code"]
    date_hierarchy = "claimed_at"
    search_fields = ["connection__msisdn", "partner_code__code"]
    actions = ["export_csv", "fulfil", "cancel"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a claim is made by the person, never typed in

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def subject_of(self, obj: OfferClaim) -> tuple[DigitalIdentity | None, int | None]:
        return obj.identity, obj.company_id

    @admin.display(description=_("code"))
    def code(self, claim: OfferClaim) -> str:
        code = getattr(claim, "partner_code", None)
        return code.code if code is not None else ""

    def has_export_permission(self, request: HttpRequest) -> bool:
        return may(request, self.resource, Op.EXPORT)

    def has_fulfil_permission(self, request: HttpRequest) -> bool:
        return may(request, self.resource, Op.FULFIL)

    @admin.action(description=_("Export the selected claims as CSV"), permissions=["export"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[OfferClaim]) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="komplimenti-claims-{stamp}.csv"'
        writer = csv.writer(response)
        writer.writerow(
            [
                "claimed_at",
                "offer",
                "title",
                "number",
                "identity",
                "context",
                "state",
                "fulfilled_at",
                "code",
                "data_bytes",
                "valid_until",
            ]
        )
        rows = queryset.select_related("offer", "connection", "partner_code").order_by("claimed_at", "pk")
        for claim in rows.iterator(chunk_size=2000):
            code = getattr(claim, "partner_code", None)
            writer.writerow(
                [
                    claim.claimed_at.isoformat(),
                    safe_cell(claim.offer.slug),
                    safe_cell(claim.offer.title_lv),
                    claim.connection.msisdn,
                    claim.identity_id,
                    claim.context,
                    claim.state,
                    claim.fulfilled_at.isoformat() if claim.fulfilled_at else "",
                    safe_cell(code.code if code is not None else ""),
                    claim.data_bytes or "",
                    claim.valid_until.isoformat() if claim.valid_until else "",
                ]
            )
        return response

    @admin.action(description=_("Mark as fulfilled (the free service is switched on)"), permissions=["fulfil"])
    def fulfil(self, request: HttpRequest, queryset: QuerySet[OfferClaim]) -> None:
        done = [mark_fulfilled(claim=claim) for claim in queryset.filter(state=ClaimState.CLAIMED)]
        messages.success(request, _("%(count)d claims marked fulfilled.") % {"count": len(done)})

    @admin.action(description=_("Cancel (only claims not fulfilled yet; the stock comes back)"), permissions=["fulfil"])
    def cancel(self, request: HttpRequest, queryset: QuerySet[OfferClaim]) -> None:
        done = [cancel_claim(claim=claim) for claim in queryset.filter(state=ClaimState.CLAIMED)]
        messages.success(request, _("%(count)d claims cancelled.") % {"count": len(done)})


@admin.register(CompanyOfferSetting, site=backoffice_site)
class CompanyOfferSettingAdmin(ReadOnlyAdmin, StaffModelAdmin[CompanyOfferSetting]):
    resource = Resource.OFFER_SETTINGS
    """Read-only: the company's main user decides this in the portal."""

    list_display = ["company", "employees_may_claim_gifts", "changed_at", "changed_by"]
    list_select_related = ["company", "changed_by"]
