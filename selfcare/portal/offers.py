"""Tele2 Komplimenti pages: a context's offers, claiming one on a connection, a company's gift setting, pictures.

Claiming is a plain POST form (the result page works without JavaScript); with HTMX the offer's card is swapped
in place. Access, eligibility and the claim are decided in selfcare.access and selfcare.offers.
"""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from selfcare.access.contexts import Action, Context
from selfcare.access.policy import connections_in, may, require_connection
from selfcare.access.web import context_page, identity_page
from selfcare.customers.models import Connection
from selfcare.errors import MESSAGES
from selfcare.offers.eligibility import Eligibility, employees_may_claim_gifts
from selfcare.offers.models import OfferClaim, OfferImage, OfferKind
from selfcare.offers.selectors import offers_for_connection, offers_for_context, shown_offers
from selfcare.offers.services import ClaimRefused, claim_offer, set_employees_may_claim_gifts
from selfcare.portal.templatetags.portal import volume

# A context with more connections than this shows its offers, and each connection's page lets one claim them.
PER_CONNECTION_PREVIEW = 10
RETURN_TO_LIST = "offers"


def new_idempotency_key() -> str:
    """A fresh key per rendered claim form: the same form sent twice (a double click) is one claim."""
    return secrets.token_urlsafe(18)


def claim_summary(claim: OfferClaim) -> str:
    """ "5 GB added, valid until 1.12.2026 14:00", the partner code, or that a free month was asked for."""
    if claim.offer.kind == OfferKind.DATA_GIFT and claim.data_bytes and claim.valid_until:
        until = formats.date_format(timezone.localtime(claim.valid_until), "SHORT_DATETIME_FORMAT")
        amount = volume(claim.data_bytes)
        return gettext("%(volume)s added, valid until %(until)s.") % {"volume": amount, "until": until}
    code = getattr(claim, "partner_code", None)
    if claim.offer.kind == OfferKind.PARTNER and code is not None:
        return gettext("Your code: %(code)s") % {"code": code.code}
    return gettext("Received. The service is switched on within one working day.")


@require_safe
@context_page
def offer_list(request: HttpRequest) -> HttpResponse:
    acting: Context = request.acting  # type: ignore[attr-defined]
    identity = request.identity  # type: ignore[attr-defined]
    if not may(acting, Action.VIEW_CONNECTION):
        raise Http404
    connections = connections_in(identity, acting).select_related("tariff_plan").order_by("msisdn")
    count = connections.count()
    blocks: list[tuple[Connection, list[Eligibility]]] = []
    if count <= PER_CONNECTION_PREVIEW:
        blocks = [
            (connection, offers_for_connection(identity_id=identity.pk, context=acting, connection=connection))
            for connection in connections
        ]
    return render(
        request,
        "portal/offers/offer_list.html",
        {
            "offers": offers_for_context(acting, shown_offers()),
            "blocks": blocks,
            "connection_count": count,
            "may_set_gifts": may(acting, Action.MANAGE_OFFER_SETTINGS),
            "employees_may_claim_gifts": employees_may_claim_gifts(acting.company_id),
            "new_key": new_idempotency_key,
            "return_to": RETURN_TO_LIST,
        },
    )


@require_POST
@context_page
def offer_claim(request: HttpRequest, connection_id: int, offer_id: int) -> HttpResponse:
    acting: Context = request.acting  # type: ignore[attr-defined]
    identity = request.identity  # type: ignore[attr-defined]
    try:
        result = claim_offer(
            request=request,
            identity=identity,
            context=acting,
            connection_id=connection_id,
            offer_id=offer_id,
            idempotency_key=request.POST.get("idempotency_key", ""),
        )
    except ClaimRefused as refused:
        if request.htmx:  # type: ignore[attr-defined]
            return _card(request, acting, connection_id, offer_id, error=str(MESSAGES[refused.code]))
        messages.error(request, MESSAGES[refused.code])
    else:
        if request.htmx:  # type: ignore[attr-defined]
            return _card(request, acting, connection_id, offer_id)
        if result.created:
            messages.success(request, claim_summary(result.claim))
    if request.POST.get("return_to") == RETURN_TO_LIST:
        return redirect("portal:offers", context=acting.key)
    return redirect("portal:connection", context=acting.key, connection_id=connection_id)


def _card(request: HttpRequest, acting: Context, connection_id: int, offer_id: int, error: str = "") -> HttpResponse:
    """The offer's card after a claim, for HTMX to swap in place of the form: it shows the result itself, or
    why the claim was refused."""
    identity = request.identity  # type: ignore[attr-defined]
    connection = require_connection(identity, acting, Action.VIEW_CONNECTION, connection_id)
    answers = offers_for_connection(identity_id=identity.pk, context=acting, connection=connection)
    answer = next((a for a in answers if a.offer.pk == offer_id), None)
    if answer is None:
        raise Http404
    return render(
        request,
        "portal/offers/_offer.html",
        {
            "answer": answer,
            "connection": connection,
            "new_key": new_idempotency_key,
            "return_to": request.POST.get("return_to", ""),
            "error": error,
        },
    )


@require_POST
@context_page
def company_setting(request: HttpRequest) -> HttpResponse:
    acting: Context = request.acting  # type: ignore[attr-defined]
    set_employees_may_claim_gifts(
        request=request,
        identity=request.identity,  # type: ignore[attr-defined]
        context=acting,
        allowed=request.POST.get("employees_may_claim_gifts") == "on",
    )
    messages.success(request, gettext("The setting is saved."))
    return redirect("portal:offers", context=acting.key)


@require_safe
@identity_page
def offer_image(request: HttpRequest, offer_id: int) -> HttpResponse:
    """An offer's picture, only while the offer is on show. The bytes are the server's own encoding."""
    image = OfferImage.objects.filter(offer_id=offer_id, offer__in=shown_offers()).first()
    if image is None:
        raise Http404
    response = HttpResponse(bytes(image.content), content_type=image.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = f'inline; filename="offer-{offer_id}"'
    return response
