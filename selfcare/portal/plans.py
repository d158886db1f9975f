"""Public plan pages: what the operator sells, from its catalogue (TMF620), for anyone before they log in — the
plans of each kind of customer with what they include, and two to four of them side by side."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from selfcare.access.web import public_page
from selfcare.customers.models import Segment
from selfcare.orders.selectors import catalogue_plans

COMPARE_MOST = 4


def _segment(request: HttpRequest) -> str:
    wanted = request.GET.get("for", "")
    return wanted if wanted in (Segment.PRIVATE, Segment.BUSINESS) else Segment.PRIVATE


@require_safe
@public_page
def plan_list(request: HttpRequest) -> HttpResponse:
    segment = _segment(request)
    plans = catalogue_plans(segment)
    return render(
        request,
        "portal/plans/list.html",
        {"plans": plans or [], "available": plans is not None, "segment": segment, "most": COMPARE_MOST},
        status=200 if plans is not None else 503,
    )


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
        context = {"plans": plans, "available": True, "segment": segment, "most": COMPARE_MOST}
        return render(request, "portal/plans/list.html", {**context, "error": error, "wanted": wanted}, status=400)
    return render(request, "portal/plans/compare.html", {"plans": chosen, "segment": segment})
