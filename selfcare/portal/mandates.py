"""A company's powers of attorney in the portal: list and history, start one, download the prefilled form, upload
the signed document and see what its validation found, revoke (with a confirm step).

Who may do what is decided in selfcare.access (Action.VIEW_MANDATES / SUBMIT_MANDATE / REVOKE_MANDATE on a
company or representative context); the pages only parse input and call selfcare.mandates.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from selfcare.access.contexts import Action, Context
from selfcare.access.policy import mandates_in, may, require_mandate
from selfcare.access.web import context_page
from selfcare.customers.models import Company, Connection, ConnectionStatus
from selfcare.identity.models import DigitalIdentity
from selfcare.mandates import services
from selfcare.mandates import signing as mandate_signing
from selfcare.mandates.documents import document_attach, problem_text
from selfcare.mandates.form import LANGUAGES, filename, render_form
from selfcare.mandates.models import DocumentChannel, Mandate, MandateStatus, Representative
from selfcare.portal.forms import CosignerInviteForm, MandateForm, ReasonForm, UploadForm
from selfcare.security import sessions


def _mandate(request: HttpRequest, action: Action, mandate_id: int) -> Mandate:
    return require_mandate(request.acting, action, mandate_id)  # type: ignore[attr-defined]


def _by(request: HttpRequest) -> services.By:
    return services.By(identity=request.identity)  # type: ignore[attr-defined]


@require_safe
@context_page
def mandate_list(request: HttpRequest) -> HttpResponse:
    acting: Context = request.acting  # type: ignore[attr-defined]
    if not may(acting, Action.VIEW_MANDATES):
        raise Http404
    mandates = mandates_in(acting).order_by("-created_at", "-pk")
    return render(
        request,
        "portal/mandates/list.html",
        {"mandates": mandates, "may_submit": may(acting, Action.SUBMIT_MANDATE)},
    )


@require_http_methods(["GET", "POST"])
@context_page
def mandate_new(request: HttpRequest) -> HttpResponse:
    acting: Context = request.acting  # type: ignore[attr-defined]
    if not may(acting, Action.SUBMIT_MANDATE) or acting.company_id is None:
        raise Http404
    company = Company.objects.get(pk=acting.company_id)
    today = timezone.localdate()
    months = settings.MANDATE_MAX_TERM_MONTHS
    form = MandateForm(
        request.POST or None, starts=today, latest_end=services.add_months(today, months), max_months=months
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        live = Connection.objects.filter(account__company=company).exclude(status=ConnectionStatus.TERMINATED)
        chosen = list(live.filter(msisdn__in=data["numbers"]).select_related("account"))
        unknown = set(data["numbers"]) - {c.msisdn for c in chosen}
        if unknown:
            form.add_error(
                "numbers", _("Not a connection of this company: %(numbers)s") % {"numbers": ", ".join(sorted(unknown))}
            )
        else:
            try:
                mandate = services.mandate_create(
                    request=request,
                    by=_by(request),
                    context=acting,
                    company=company,
                    attorney_code=data["attorney_code"],
                    attorney_name=data["attorney_name"],
                    valid_from=data["valid_from"],
                    valid_until=data["valid_until"],
                    scope=data["scope"],
                    connections=chosen,
                    attorney_phone=data["attorney_phone"],
                    attorney_email=data["attorney_email"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                return redirect("portal:mandate", context=acting.key, mandate_id=mandate.pk)
    return render(
        request,
        "portal/mandates/new.html",
        {"form": form, "company": company, "max_months": settings.MANDATE_MAX_TERM_MONTHS},
    )


def _add_errors(form: MandateForm | UploadForm | ReasonForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@require_safe
@context_page
def mandate_detail(request: HttpRequest, mandate_id: int) -> HttpResponse:
    acting: Context = request.acting  # type: ignore[attr-defined]
    mandate = _mandate(request, Action.VIEW_MANDATES, mandate_id)
    return _detail(request, acting, mandate, UploadForm())


def _invites(
    mandate: Mandate, identity: DigitalIdentity, invite: tuple[int, CosignerInviteForm] | None
) -> list[tuple[Representative, CosignerInviteForm]]:
    """The co-signers the portal cannot tell, each with a form for their number or address (the one just posted,
    with its errors and what was typed, in place of a fresh one)."""
    if not mandate_signing.may_invite(mandate, identity):
        return []
    return [
        (r, invite[1] if invite is not None and invite[0] == r.pk else CosignerInviteForm(prefix=f"invite-{r.pk}"))
        for r in mandate_signing.uninvited_cosigners(mandate)
    ]


def _detail(
    request: HttpRequest,
    acting: Context,
    mandate: Mandate,
    upload: UploadForm,
    invite: tuple[int, CosignerInviteForm] | None = None,
) -> HttpResponse:
    documents = [(document, [problem_text(code) for code in document.problems]) for document in mandate.documents.all()]
    identity = request.identity  # type: ignore[attr-defined]
    may_sign = may(acting, Action.SUBMIT_MANDATE) and mandate_signing.may_sign(mandate, identity)
    return render(
        request,
        "portal/mandates/detail.html",
        {
            "mandate": mandate,
            "events": mandate.events.select_related("identity"),
            "documents": documents,
            "connections": mandate.connections.order_by("msisdn"),
            "upload": upload,
            "may_upload": may(acting, Action.SUBMIT_MANDATE)
            and mandate.status in (MandateStatus.DRAFT, MandateStatus.SUBMITTED),
            "may_revoke": may(acting, Action.REVOKE_MANDATE) and mandate.status == MandateStatus.ACTIVE,
            "may_sign": may_sign,
            # The method the person logged in with first: they have it at hand.
            "signing_methods": mandate_signing.signing_methods(identity, logged_in_with=sessions.login_method(request))
            if may_sign
            else [],
            "waiting": mandate_signing.current_document(mandate) is not None,
            "invites": _invites(mandate, identity, invite) if may(acting, Action.SUBMIT_MANDATE) else [],
            "waiting_documents": [d for d, _p in documents if mandate_signing.waiting_for_others(d)],
            "form_languages": LANGUAGES,
            "business_email": settings.BRAND.business_email,
            # The demo has no eParaksts app: its simulator signs with the test CA (never in production).
            "demo_signing_url": f"{settings.SELFCARE_SIMULATORS_URL}/simulators/eparaksts/sign/"
            if settings.SELFCARE_DEMO
            else "",
        },
        status=400 if upload.errors or (invite is not None and invite[1].errors) else 200,
    )


@require_POST
@context_page
def cosigner_invite(request: HttpRequest, mandate_id: int, representative_id: int) -> HttpResponse:
    """A signer gives a co-signer's number or e-mail address; the invitation to sign is sent there."""
    acting: Context = request.acting  # type: ignore[attr-defined]
    mandate = _mandate(request, Action.SUBMIT_MANDATE, mandate_id)
    identity = request.identity  # type: ignore[attr-defined]
    if not mandate_signing.may_invite(mandate, identity):
        raise Http404
    representative = next((r for r in mandate_signing.uninvited_cosigners(mandate) if r.pk == representative_id), None)
    if representative is None:
        raise Http404
    form = CosignerInviteForm(request.POST, prefix=f"invite-{representative.pk}")
    if not form.is_valid():
        return _detail(request, acting, mandate, UploadForm(), invite=(representative.pk, form))
    mandate_signing.invite_cosigner(
        request=request,
        mandate=mandate,
        representative=representative,
        phone=form.cleaned_data["phone"],
        email=form.cleaned_data["email"],
        identity=identity,
        context=acting,
    )
    messages.success(request, _("The invitation to sign was sent to %(name)s.") % {"name": representative.name})
    return redirect("portal:mandate", context=acting.key, mandate_id=mandate.pk)


@require_safe
@context_page
def mandate_form(request: HttpRequest, mandate_id: int, language: str) -> HttpResponse:
    """The prefilled form as a download (our own PDF, never an uploaded file)."""
    mandate = _mandate(request, Action.SUBMIT_MANDATE, mandate_id)
    if language not in LANGUAGES:
        raise Http404
    response = HttpResponse(render_form(mandate, language), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename(mandate, language)}"'
    return response


@require_POST
@context_page
def mandate_upload(request: HttpRequest, mandate_id: int) -> HttpResponse:
    acting: Context = request.acting  # type: ignore[attr-defined]
    mandate = _mandate(request, Action.SUBMIT_MANDATE, mandate_id)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["document"]
        # One byte over the limit is enough to refuse; a larger file is never read into memory whole.
        data = upload.read(settings.SIGNED_DOCUMENT_MAX_BYTES + 1)
        try:
            document_attach(
                request=request,
                mandate=mandate,
                data=data,
                original_name=upload.name or "",
                channel=DocumentChannel.PORTAL,
                by=_by(request),
                context=acting,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The signed document was received. Its check is shown below."))
            return redirect("portal:mandate", context=acting.key, mandate_id=mandate.pk)
    mandate.refresh_from_db()
    return _detail(request, acting, mandate, form)


@require_http_methods(["GET", "POST"])
@context_page
def mandate_revoke(request: HttpRequest, mandate_id: int) -> HttpResponse:
    """Revoking needs a confirm step: the GET shows what ends and asks for the reason; the POST does it."""
    acting: Context = request.acting  # type: ignore[attr-defined]
    mandate = _mandate(request, Action.REVOKE_MANDATE, mandate_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # the check and the step it guards in one transaction (SECURITY.md)
                mandate = _mandate(request, Action.REVOKE_MANDATE, mandate_id)
                services.mandate_revoke(
                    request=request,
                    mandate=mandate,
                    by=_by(request),
                    reason=form.cleaned_data["reason"],
                    context=acting,
                )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The power of attorney is revoked. Its rights ended at once."))
            return redirect("portal:mandate", context=acting.key, mandate_id=mandate.pk)
    return render(request, "portal/mandates/revoke.html", {"mandate": mandate, "form": form})
