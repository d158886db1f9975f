"""Ordering a new connection after an eID login: a wizard of server-rendered steps (plan → number → SIM → summary
→ contract signed with Smart-ID → the order followed to active).

The pages parse input and render; who may order, and in which context, is selfcare.access's decision
(`new_connection_contexts`, `require_new_connection`), re-checked by selfcare.orders.new_connection at every step.
The order's state is kept server-side on the order (the signing's id only in the session), so nothing typed is
lost between steps, reloads or a wrong value.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import HttpResponseClientRedirect

from selfcare.access.contexts import NotFound
from selfcare.access.policy import new_connection_contexts, require_new_connection
from selfcare.access.web import identity_page
from selfcare.errors import message
from selfcare.identity.messages import error_code_for
from selfcare.identity.methods.base import EidError
from selfcare.identity.methods.smartid.config import smartid_config
from selfcare.orders import new_connection as service
from selfcare.orders.models import NewConnectionOrder, NewConnectionState, NumberChoice
from selfcare.portal.http import HtmxHttpRequest
from selfcare.portal.orders import _DELIVERY_FIELDS
from selfcare.signing import flow
from selfcare.signing.pades import SigningFailed
from selfcare.storage import StorageUnavailable, read

SESSION_KEY = "new_connection.signing"
STEPS = ("plan", "number", "confirm", "sim", "summary")


def _order(request: HttpRequest, order_id: uuid.UUID) -> NewConnectionOrder:
    try:
        return require_new_connection(request.identity, order_id)  # type: ignore[attr-defined]
    except NotFound:
        raise Http404 from None


def _url(order: NewConnectionOrder, step: str = "") -> str:
    url = reverse("portal:new-connection-order", kwargs={"order_id": order.pk})
    return f"{url}?step={step}" if step else url


def _errors(error: ValidationError) -> tuple[dict[str, list[str]], list[str]]:
    if hasattr(error, "error_dict"):
        return {name: [str(m) for e in errs for m in e.messages] for name, errs in error.error_dict.items()}, []
    return {}, [str(m) for m in error.messages]


@require_http_methods(["GET", "POST"])
@identity_page
def start(request: HttpRequest) -> HttpResponse:
    """For whom: privately, or for a company the person may order for; and the person's orders so far."""
    identity = request.identity  # type: ignore[attr-defined]
    choices = new_connection_contexts(identity)
    problem = ""
    if request.method == "POST":
        try:
            order = service.draft_start(request=request, identity=identity, context_key=request.POST.get("for", ""))
            return redirect(_url(order))
        except NotFound:
            problem = _("Choose for whom the connection is.")
        except ValidationError as error:
            problem = " ".join(error.messages)
    orders = NewConnectionOrder.objects.filter(ordered_by=identity).select_related("company")[:50]
    return render(
        request,
        "portal/new_connection/start.html",
        {"choices": choices, "orders": orders, "problem": problem},
        status=400 if problem else 200,
    )


def _step_of(request: HttpRequest, order: NewConnectionOrder) -> str:
    wanted = request.GET.get("step", "")
    needed = service.missing(order) or "summary"
    # Back to any step already reached; never past the first one not done.
    if wanted in STEPS and STEPS.index(wanted) <= STEPS.index(needed) and wanted != "confirm":
        return wanted
    return needed


def _page(
    request: HttpRequest,
    order: NewConnectionOrder,
    step: str,
    *,
    typed: dict[str, str] | None = None,
    error: ValidationError | None = None,
) -> HttpResponse:
    field_errors, general = _errors(error) if error is not None else ({}, [])
    typed = typed or {}
    context: dict[str, Any] = {
        "order": order,
        "step": step,
        "typed": typed,
        "field_errors": field_errors,
        "general_errors": general,
        "steps": [s for s in STEPS if s != "confirm" or order.number_choice == NumberChoice.PORT],
    }
    if step == "plan":
        context["plans"] = service.plans_for(order)
    if step == "number":
        context["numbers"] = service.offer_numbers(order)
        context["donors"] = settings.NEW_CONNECTION_DONOR_OPERATORS
        first, last = service.porting_window(timezone.localdate())
        context["porting_first"], context["porting_last"] = first.isoformat(), last.isoformat()
    if step == "sim":
        values = typed or {
            "recipient": order.delivery.get("deliveryRecipient", ""),
            "street": order.delivery.get("deliveryStreet", ""),
            "city": order.delivery.get("deliveryCity", ""),
            "postcode": order.delivery.get("deliveryPostcode", ""),
        }
        context["delivery_fields"] = [
            {"name": n, "label": label, "autocomplete": auto, "value": values.get(n, ""), "errors": field_errors.get(n)}
            for n, label, auto in _DELIVERY_FIELDS
        ]
    status = 400 if error is not None else 200
    return render(request, "portal/new_connection/step.html", context, status=status)


def _stopped(request: HttpRequest, order: NewConnectionOrder, error: ValidationError) -> HttpResponse:
    messages.error(request, " ".join(error.messages))
    return redirect(_url(order))


@require_safe
@identity_page
def order_page(request: HttpRequest, order_id: uuid.UUID) -> HttpResponse:
    order = _order(request, order_id)
    if order.state == NewConnectionState.DRAFT:
        try:
            service.acting(order)
        except service.RightsEnded:
            order.refresh_from_db()
    if order.state != NewConnectionState.DRAFT:
        order = service.follow_up(order)
        return render(
            request,
            "portal/new_connection/follow.html",
            {
                "order": order,
                "qr": _qr_svg(order.activation_code) if order.activation_code else "",
                "partial": bool(getattr(request, "htmx", False)),
            },
        )
    return _page(request, order, _step_of(request, order))


def _qr_svg(code: str) -> str:
    return str(segno.make(code, error="m").svg_inline(scale=6, border=4, title=code))


def _post_step(request: HttpRequest, order_id: uuid.UUID, step: str) -> HttpResponse:
    order = _order(request, order_id)
    data = request.POST
    typed = {k: str(v) for k, v in data.items() if k != "csrfmiddlewaretoken"}
    try:
        if step == "plan":
            service.choose_plan(order=order, plan_id=data.get("plan", ""))
        elif step == "number" and data.get("choice") == NumberChoice.PORT:
            service.choose_port(
                request=request,
                order=order,
                number_text=data.get("number", ""),
                donor=data.get("donor", ""),
                date_text=data.get("porting_date", ""),
            )
        elif step == "number":
            service.choose_new_number(order=order, msisdn=data.get("msisdn", ""))
        elif step == "confirm":
            service.confirm_port(order=order, code_text=data.get("code", ""))
        elif step == "sim":
            service.choose_sim(order=order, kind=data.get("sim_kind", ""), values=dict(typed))
    except service.RightsEnded as error:
        return _stopped(request, order, error)
    except ValidationError as error:
        order.refresh_from_db()
        return _page(request, order, step, typed=typed, error=error)
    return redirect(_url(order))


@require_POST
@identity_page
def plan_step(request: HttpRequest, order_id: uuid.UUID) -> HttpResponse:
    return _post_step(request, order_id, "plan")


@require_POST
@identity_page
def number_step(request: HttpRequest, order_id: uuid.UUID) -> HttpResponse:
    return _post_step(request, order_id, "number")


@require_POST
@identity_page
def confirm_step(request: HttpRequest, order_id: uuid.UUID) -> HttpResponse:
    return _post_step(request, order_id, "confirm")


@require_POST
@identity_page
def sim_step(request: HttpRequest, order_id: uuid.UUID) -> HttpResponse:
    return _post_step(request, order_id, "sim")


def _signing(request: HttpRequest, order: NewConnectionOrder) -> flow.Signing | None:
    kept = request.session.get(SESSION_KEY)
    if not isinstance(kept, dict) or kept.get("order") != str(order.pk):
        return None
    return flow.load(str(kept.get("id", "")))


def _end(request: HttpRequest, signing: flow.Signing | None) -> None:
    request.session.pop(SESSION_KEY, None)
    if signing is not None:
        flow.forget(signing.id)


@require_POST
@identity_page
def sign_start(request: HttpRequest, order_id: uuid.UUID) -> HttpResponse:
    order = _order(request, order_id)
    try:
        signing = service.signing_start(request=request, order=order, language=get_language() or "lv")
    except service.RightsEnded as error:
        return _stopped(request, order, error)
    except ValidationError as error:
        return _page(request, order, "summary", error=error)
    except EidError as error:
        messages.error(request, message(error_code_for(error)))
        return redirect(_url(order))
    request.session[SESSION_KEY] = {"id": signing.id, "order": str(order.pk)}
    return redirect("portal:new-connection-sign-wait", order_id=order.pk)


def _waiting(order: NewConnectionOrder, signing: flow.Signing) -> dict[str, object]:
    limit = smartid_config().session_timeout_s
    return {
        "order": order,
        "signing": signing,
        "elapsed": min(int(time.time() - signing.started_at), limit),
        "limit": limit,
    }


@require_safe
@identity_page
def sign_wait(request: HttpRequest, order_id: uuid.UUID) -> HttpResponse:
    order = _order(request, order_id)
    signing = _signing(request, order)
    if signing is None:
        return redirect(_url(order))
    return render(request, "portal/new_connection/sign_wait.html", _waiting(order, signing))


def _go(request: HtmxHttpRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_POST
@identity_page
def sign_status(request: HtmxHttpRequest, order_id: uuid.UUID) -> HttpResponse:
    """One step of waiting for the signature; once signed, the contract is kept and the order sent."""
    order = _order(request, order_id)
    signing = _signing(request, order)
    if signing is None:
        return _go(request, _url(order))
    try:
        signed = flow.advance(signing)
        if signed is not None:
            _end(request, signing)
            service.signing_complete(request=request, order=order, signed_pdf=signed)
            messages.success(request, _("You signed the contract. Your order was sent."))
            return _go(request, _url(order))
    except EidError as error:
        _end(request, signing)
        messages.error(request, message(error_code_for(error)))
        return _go(request, _url(order))
    except ValidationError as error:
        _end(request, signing)
        messages.error(request, " ".join(error.messages))
        return _go(request, _url(order))
    except SigningFailed:
        _end(request, signing)
        messages.error(request, _("The signature could not be added to the document. Try again."))
        return _go(request, _url(order))
    if request.htmx:
        return render(request, "portal/new_connection/sign_progress.html", _waiting(order, signing))
    return redirect("portal:new-connection-sign-wait", order_id=order.pk)


@require_POST
@identity_page
def sign_cancel(request: HttpRequest, order_id: uuid.UUID) -> HttpResponse:
    order = _order(request, order_id)
    _end(request, _signing(request, order))
    return redirect(_url(order))


@require_safe
@identity_page
def contract(request: HttpRequest, order_id: uuid.UUID) -> HttpResponse:
    """The signed contract, for the person who signed it (a download: never shown inline from our origin)."""
    order = _order(request, order_id)
    if not order.contract_name:
        raise Http404
    try:
        data = read(order.contract_name)
    except StorageUnavailable:
        return render(request, "portal/unavailable.html", status=503)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="contract-{order.pk}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
