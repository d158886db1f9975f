"""Signing a power of attorney in the portal, with Smart-ID or eParaksts (the person chooses; the method they logged
in with comes first). Smart-ID: start (a POST), wait with the verification code and progress (the page polls with
HTMX; without JavaScript "Check now"), then back to the mandate with the outcome. eParaksts: start (a POST) sends
the browser to the platform; it comes back to one registered callback, which passes it on to the mandate's return
page (in the context the signing started in); the first return goes on to approve the digest, the second brings the
signature.
The signed documents can be downloaded by everyone who may see the mandate.

Who may sign is decided by selfcare.access (Action.SUBMIT_MANDATE on the context) and selfcare.mandates.signing (a
representative in the register, not yet signed); the pages only keep the signing's id in the session.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from selfcare.access.contexts import Action, Context
from selfcare.access.policy import require_mandate
from selfcare.access.web import context_page, identity_page
from selfcare.errors import message
from selfcare.identity.messages import error_code_for
from selfcare.identity.methods.base import EidError
from selfcare.identity.methods.smartid.config import smartid_config
from selfcare.mandates import signing as mandate_signing
from selfcare.mandates.documents import read
from selfcare.mandates.models import Mandate
from selfcare.portal.http import HtmxHttpRequest
from selfcare.portal.login.smartid import _APP_LANGUAGES as APP_LANGUAGES
from selfcare.security import sessions
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


def _portal_url(request: HttpRequest, name: str) -> str:
    """An absolute URL of the portal without a language prefix: one address for every language."""
    with translation.override(settings.LANGUAGE_CODE):
        return request.build_absolute_uri(reverse(name))


def _callback_uri(request: HttpRequest) -> str:
    """The exact signing callback registered with LVRTC; in the demo the portal's own URL (no language prefix)."""
    if settings.EPARAKSTS_SIGN_REDIRECT_URI:
        return str(settings.EPARAKSTS_SIGN_REDIRECT_URI)
    return _portal_url(request, "portal:signing-eparaksts-callback")


def _smartid_push(request: HttpRequest) -> bool:
    """SK: a push notification only where the person has used Smart-ID in this browser, here: logged in with it
    (or the operator keeps push for everyone); otherwise the QR code of a device link."""
    return bool(settings.SMARTID_PUSH_FOR_EVERYONE) or sessions.login_method(request) == flow.SMARTID


@require_POST
@context_page
def sign_start(request: HttpRequest, mandate_id: int) -> HttpResponse:
    acting: Context = request.acting  # type: ignore[attr-defined]
    mandate = require_mandate(acting, Action.SUBMIT_MANDATE, mandate_id)
    identity = request.identity  # type: ignore[attr-defined]
    method = request.POST.get("method", flow.SMARTID)
    if method not in mandate_signing.signing_methods(identity):
        messages.error(request, _("Choose how to sign: Smart-ID or eParaksts."))
        return redirect(_detail_url(acting, mandate))
    try:
        signing = mandate_signing.signing_start(
            request=request,
            mandate=mandate,
            identity=identity,
            context=acting,
            method=method,
            redirect_uri=_callback_uri(request) if method == flow.EPARAKSTS else "",
            language=translation.get_language()[:2],
            device_link=method == flow.SMARTID and not _smartid_push(request),
            callback_url=_portal_url(request, "portal:signing-smartid-callback") if method == flow.SMARTID else "",
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_detail_url(acting, mandate))
    except EidError as error:
        messages.error(request, message(error_code_for(error)))
        return redirect(_detail_url(acting, mandate))
    request.session[SESSION_KEY] = {"id": signing.id, "mandate": mandate.pk, "context": acting.key}
    if signing.redirect_url:
        return redirect(signing.redirect_url)
    return redirect("portal:mandate-sign-wait", context=acting.key, mandate_id=mandate.pk)


def _waiting(mandate: Mandate, signing: flow.Signing) -> dict[str, object]:
    limit = smartid_config().session_timeout_s
    context: dict[str, object] = {
        "mandate": mandate,
        "signing": signing,
        "elapsed": min(int(time.time() - signing.started_at), limit),
        "limit": limit,
    }
    # A device link: the QR code, rebuilt at every step of waiting (it must be fresh each second).
    app_language = APP_LANGUAGES.get(translation.get_language()[:2], "lav")
    link = flow.qr_link(signing, lang=app_language)
    if link:
        context["qr"] = segno.make(link, error="m").svg_data_uri(scale=5, border=2)
        context["qr_link"] = link
        context["app_link"] = flow.app_link(signing, lang=app_language)  # Web2App, when on the phone itself
    return context


@require_safe
@context_page
def sign_wait(request: HttpRequest, mandate_id: int) -> HttpResponse:
    acting: Context = request.acting  # type: ignore[attr-defined]
    mandate = require_mandate(acting, Action.SUBMIT_MANDATE, mandate_id)
    signing = _signing(request, mandate)
    if signing is None:
        return redirect(_detail_url(acting, mandate))
    return render(request, "portal/mandates/sign_wait.html", _waiting(mandate, signing))


def _signed(request: HttpRequest, acting: Context, mandate: Mandate, signing: flow.Signing, signed: bytes) -> str:
    """Keep the signed PDF on the mandate; the mandate's page to go back to."""
    mandate_signing.signing_complete(
        request=request,
        mandate=mandate,
        identity=request.identity,  # type: ignore[attr-defined]
        signing=signing,
        signed_pdf=signed,
        context=acting,
    )
    _end(request, signing)
    messages.success(request, _("Your signature was added to the power of attorney."))
    return _detail_url(acting, mandate)


def _failed(request: HttpRequest, acting: Context, mandate: Mandate, signing: flow.Signing, error: Exception) -> str:
    """End the signing and say why, in the person's words; the mandate's page to go back to."""
    _end(request, signing)
    if isinstance(error, EidError):
        messages.error(request, message(error_code_for(error)))
    elif isinstance(error, ValidationError):
        messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, _("The signature could not be added to the document. Try again."))
    return _detail_url(acting, mandate)


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
            return _go(request, _signed(request, acting, mandate, signing, signed))
    except (EidError, ValidationError, SigningFailed) as error:
        return _go(request, _failed(request, acting, mandate, signing, error))
    if request.htmx:
        return render(request, "portal/mandates/sign_progress.html", _waiting(mandate, signing))
    return redirect("portal:mandate-sign-wait", context=acting.key, mandate_id=mandate.pk)


@require_safe
@identity_page
def eparaksts_callback(request: HttpRequest) -> HttpResponse:
    """Where the eParaksts platform sends the person back (one registered URL for every signing): on to the
    mandate's return page, in the context the signing started in, with the platform's parameters."""
    kept = request.session.get(SESSION_KEY)
    signing = flow.load(str(kept.get("id", ""))) if isinstance(kept, dict) else None
    if not isinstance(kept, dict) or signing is None or signing.method != flow.EPARAKSTS:
        messages.error(request, _("This signing has ended. Start again from the power of attorney."))
        return redirect("portal:dashboard")
    with translation.override(signing.language):
        url = reverse("portal:mandate-sign-return", kwargs={"context": kept["context"], "mandate_id": kept["mandate"]})
    query = {k: request.GET.get(k, "") for k in ("state", "code", "error") if k in request.GET}
    return redirect(f"{url}?{urlencode(query)}")


@require_safe
@identity_page
def smartid_callback(request: HttpRequest) -> HttpResponse:
    """Web2App: the Smart-ID app returns the person here after the certificate choice on the same phone; the
    callback is checked (its value bound to this signing, the session secret's digest), then the wait goes on."""
    kept = request.session.get(SESSION_KEY)
    signing = flow.load(str(kept.get("id", ""))) if isinstance(kept, dict) else None
    if not isinstance(kept, dict) or signing is None or signing.method != flow.SMARTID:
        messages.error(request, _("This signing has ended. Start again from the power of attorney."))
        return redirect("portal:dashboard")
    kwargs = {"context": kept["context"], "mandate_id": kept["mandate"]}
    with translation.override(signing.language):  # the callback has no language prefix; the person's pages do
        try:
            flow.app_returned(
                signing,
                value=request.GET.get("value", ""),
                session_secret_digest=request.GET.get("sessionSecretDigest", ""),
            )
        except EidError as error:
            _end(request, signing)
            messages.error(request, message(error_code_for(error)))
            return redirect(reverse("portal:mandate", kwargs=kwargs))
        return redirect(reverse("portal:mandate-sign-wait", kwargs=kwargs))


@require_safe
@context_page
def sign_return(request: HttpRequest, mandate_id: int) -> HttpResponse:
    """An eParaksts return: on to approve the digest, or the signed document kept; a GET, as OAuth returns are.
    The state (single use, bound to this signing in this browser's session) is checked by selfcare.signing.flow."""
    acting: Context = request.acting  # type: ignore[attr-defined]
    mandate = require_mandate(acting, Action.SUBMIT_MANDATE, mandate_id)
    signing = _signing(request, mandate)
    if signing is None or signing.method != flow.EPARAKSTS:
        return redirect(_detail_url(acting, mandate))
    try:
        signed = flow.callback(
            signing,
            state=request.GET.get("state", ""),
            code=request.GET.get("code", ""),
            error=request.GET.get("error", ""),
        )
        if signed is None:
            return redirect(signing.redirect_url)
        return redirect(_signed(request, acting, mandate, signing, signed))
    except (EidError, ValidationError, SigningFailed) as error:
        return redirect(_failed(request, acting, mandate, signing, error))


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
