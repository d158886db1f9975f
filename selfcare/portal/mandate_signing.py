"""Signing a power of attorney in the portal with Smart-ID: start (a POST), wait with the verification code and
progress (the page polls with HTMX; without JavaScript "Check now"), then back to the mandate with the outcome.
The signed documents can be downloaded by everyone who may see the mandate.

Who may sign is decided by selfcare.access (Action.SUBMIT_MANDATE on the context) and selfcare.mandates.signing (a
representative in the register, not yet signed); the pages only keep the signing's id in the session.
"""

from __future__ import annotations

import time

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from selfcare.access.contexts import Action, Context
from selfcare.access.policy import require_mandate
from selfcare.access.web import context_page
from selfcare.errors import message
from selfcare.identity.messages import error_code_for
from selfcare.identity.methods.base import EidError
from selfcare.identity.methods.smartid.config import smartid_config
from selfcare.mandates import signing as mandate_signing
from selfcare.mandates.documents import read
from selfcare.mandates.models import Mandate
from selfcare.portal.http import HtmxHttpRequest
from selfcare.signing import flow
from selfcare.signing.pades import SigningFailed

SESSION_KEY = "mandate.signing"


def _detail_url(acting: Context, mandate: Mandate) -> str:
    return reverse("portal:mandate", kwargs={"context": acting.key, "mandate_id": mandate.pk})


def _go(request: HtmxHttpRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _signing(request: HttpRequest, mandate: Mandate) -> flow.Signing | None:
    kept = request.session.get(SESSION_KEY)
    if not isinstance(kept, dict) or kept.get("mandate") != mandate.pk:
        return None
    return flow.load(str(kept.get("id", "")))


def _end(request: HttpRequest, signing: flow.Signing | None) -> None:
    request.session.pop(SESSION_KEY, None)
    if signing is not None:
        flow.forget(signing.id)


@require_POST
@context_page
def sign_start(request: HttpRequest, mandate_id: int) -> HttpResponse:
    acting: Context = request.acting  # type: ignore[attr-defined]
    mandate = require_mandate(acting, Action.SUBMIT_MANDATE, mandate_id)
    try:
        signing = mandate_signing.signing_start(
            request=request,
            mandate=mandate,
            identity=request.identity,  # type: ignore[attr-defined]
            context=acting,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_detail_url(acting, mandate))
    except EidError as error:
        messages.error(request, message(error_code_for(error)))
        return redirect(_detail_url(acting, mandate))
    request.session[SESSION_KEY] = {"id": signing.id, "mandate": mandate.pk}
    return redirect("portal:mandate-sign-wait", context=acting.key, mandate_id=mandate.pk)


def _waiting(mandate: Mandate, signing: flow.Signing) -> dict[str, object]:
    limit = smartid_config().session_timeout_s
    return {
        "mandate": mandate,
        "signing": signing,
        "elapsed": min(int(time.time() - signing.started_at), limit),
        "limit": limit,
    }


@require_safe
@context_page
def sign_wait(request: HttpRequest, mandate_id: int) -> HttpResponse:
    acting: Context = request.acting  # type: ignore[attr-defined]
    mandate = require_mandate(acting, Action.SUBMIT_MANDATE, mandate_id)
    signing = _signing(request, mandate)
    if signing is None:
        return redirect(_detail_url(acting, mandate))
    return render(request, "portal/mandates/sign_wait.html", _waiting(mandate, signing))


@require_POST
@context_page
def sign_status(request: HtmxHttpRequest, mandate_id: int) -> HttpResponse:
    """One step of waiting: the certificate choice, then the signature; done, back to the mandate."""
    acting: Context = request.acting  # type: ignore[attr-defined]
    mandate = require_mandate(acting, Action.SUBMIT_MANDATE, mandate_id)
    signing = _signing(request, mandate)
    if signing is None:
        return _go(request, _detail_url(acting, mandate))
    try:
        signed = flow.advance(signing)
        if signed is not None:
            mandate_signing.signing_complete(
                request=request,
                mandate=mandate,
                identity=request.identity,  # type: ignore[attr-defined]
                signing=signing,
                signed_pdf=signed,
                context=acting,
            )
            _end(request, signing)
            mandate.refresh_from_db()
            messages.success(request, _("Your signature was added to the power of attorney."))
            return _go(request, _detail_url(acting, mandate))
    except EidError as error:
        _end(request, signing)
        messages.error(request, message(error_code_for(error)))
        return _go(request, _detail_url(acting, mandate))
    except ValidationError as error:
        _end(request, signing)
        messages.error(request, " ".join(error.messages))
        return _go(request, _detail_url(acting, mandate))
    except SigningFailed:
        _end(request, signing)
        messages.error(request, _("The signature could not be added to the document. Try again."))
        return _go(request, _detail_url(acting, mandate))
    if request.htmx:
        return render(request, "portal/mandates/sign_progress.html", _waiting(mandate, signing))
    return redirect("portal:mandate-sign-wait", context=acting.key, mandate_id=mandate.pk)


@require_POST
@context_page
def sign_cancel(request: HttpRequest, mandate_id: int) -> HttpResponse:
    acting: Context = request.acting  # type: ignore[attr-defined]
    mandate = require_mandate(acting, Action.SUBMIT_MANDATE, mandate_id)
    _end(request, _signing(request, mandate))
    return redirect(_detail_url(acting, mandate))


@require_safe
@context_page
def document_download(request: HttpRequest, mandate_id: int, document_id: int) -> HttpResponse:
    """A kept signed document, for everyone who may see the mandate (what they or others signed)."""
    acting: Context = request.acting  # type: ignore[attr-defined]
    mandate = require_mandate(acting, Action.VIEW_MANDATES, mandate_id)
    document = mandate.documents.filter(pk=document_id).first()
    if document is None:
        raise Http404
    content_type = "application/pdf" if document.kind == "pdf" else "application/vnd.etsi.asic-e+zip"
    response = HttpResponse(read(document), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.stored_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
