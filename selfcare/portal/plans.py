"""Public plan pages: what the operator sells, from its catalogue (TMF620), for anyone before they log in — the
plans of each kind of customer with what they include, and two to four of them side by side."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from selfcare.access.web import public_page
from selfcare.customers.models import Segment
from selfcare.offers.models import Offer
from selfcare.offers.selectors import welcome_offers
from selfcare.orders.client import Offering
from selfcare.orders.selectors import catalogue_plans

COMPARE_MOST = 4


@dataclass(frozen=True, slots=True)
class PlanCard:
    plan: Offering
    welcome: list[Offer]  # the welcome offers that come with this plan


@dataclass(frozen=True, slots=True)
class WelcomeItem:
    offer: Offer
    plans: list[str]  # the names of the plans on the page it comes with; empty: every plan


def _cards(plans: list[Offering], segment: str) -> tuple[list[PlanCard], list[WelcomeItem]]:
    """Each plan with its welcome offers, and the welcome offers that come with at least one plan on sale."""
    welcome = welcome_offers(segment)
    cards = [PlanCard(plan, [w.offer for w in welcome if w.with_plan(plan.id)]) for plan in plans]
    items = [
        WelcomeItem(w.offer, [plan.name for plan in plans if w.plan_codes and plan.id in w.plan_codes])
        for w in welcome
        if any(w.with_plan(plan.id) for plan in plans)
    ]
    return cards, items


def _segment(request: HttpRequest) -> str:
    wanted = request.GET.get("for", "")
    return wanted if wanted in (Segment.PRIVATE, Segment.BUSINESS) else Segment.PRIVATE


@require_safe
@public_page
def plan_list(request: HttpRequest) -> HttpResponse:
    segment = _segment(request)
    plans = catalogue_plans(segment)
    if plans is None:
        return render(request, "portal/plans/list.html", {"available": False, "segment": segment}, status=503)
    cards, welcome = _cards(plans, segment)
    context = {"cards": cards, "welcome": welcome, "available": True, "segment": segment, "most": COMPARE_MOST}
    return render(request, "portal/plans/list.html", context)


@require_safe
@public_page
def plan_compare(request: HttpRequest) -> HttpResponse:
    """The chosen plans side by side; fewer than two or more than four chosen says so on the list, choices kept."""
    segment = _segment(request)
    plans = catalogue_plans(segment)
    if plans is None:
        return render(request, "portal/plans/list.html", {"available": False, "segment": segment}, status=503)
    wanted = [str(p)[:100] for p in request.GET.getlist("plan")]
    chosen = [plan for plan in plans if plan.id in wanted]
    if not 2 <= len(chosen) <= COMPARE_MOST:
        error = gettext("Choose two to %(most)s plans to compare.") % {"most": COMPARE_MOST}
        cards, welcome = _cards(plans, segment)
        context = {"cards": cards, "welcome": welcome, "available": True, "segment": segment, "most": COMPARE_MOST}
        return render(request, "portal/plans/list.html", {**context, "error": error, "wanted": wanted}, status=400)
    cards, _welcome = _cards(chosen, segment)
    return render(request, "portal/plans/compare.html", {"cards": cards, "segment": segment})
