"""A connection's spend cap and alerts, and a company's costs, in the portal.

Who may see spend and set caps is decided in selfcare.access (Action.VIEW_SPEND, Action.MANAGE_SPEND_CAP): a private
customer on their connections, a company's main user on the connections their mandate covers; never an employee.
The reads and writes are selfcare.spend's; this module parses the form and renders.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from selfcare.access.contexts import Action, Context
from selfcare.access.policy import connections_in, may, require_connection
from selfcare.access.web import context_page
from selfcare.audit.services import record
from selfcare.spend.barring import barring_in_force, lift_by_hand
from selfcare.spend.models import AtCap, SpendCap
from selfcare.spend.selectors import company_costs, out_of_bundle_prices, running_spend
from selfcare.spend.services import CapRequest, cap_remove, cap_set

TOP_SPENDERS = 5


class SpendCapForm(forms.Form):
    """The fields as typed; selfcare.spend.services checks them (the same rules for the app API)."""

    amount = forms.CharField(label=gettext_lazy("Monthly cap, € excl. VAT"), max_length=20)
    first_threshold = forms.CharField(label=gettext_lazy("First alert at, %"), max_length=4, required=False)
    second_threshold = forms.CharField(label=gettext_lazy("Second alert at, %"), max_length=4, required=False)
    data_alert = forms.BooleanField(label=gettext_lazy("Also alert at 80 % of the data bundle"), required=False)
    tell_user = forms.BooleanField(label=gettext_lazy("Tell the number's user (SMS to the number)"), required=False)
    tell_main_user = forms.BooleanField(label=gettext_lazy("Tell me (SMS and e-mail for notices)"), required=False)
    extra_recipients = forms.CharField(
        label=gettext_lazy("Up to three more numbers or e-mail addresses, one per line"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=400,
        required=False,
    )
    at_cap = forms.ChoiceField(
        label=gettext_lazy("At 100 % of the cap"), choices=AtCap.choices, widget=forms.RadioSelect, required=False
    )

    def wanted(self) -> CapRequest:
        data = self.cleaned_data
        return CapRequest(
            amount=data["amount"],
            thresholds=[data["first_threshold"], data["second_threshold"]],
            data_alert=data["data_alert"],
            tell_user=data["tell_user"],
            tell_main_user=data["tell_main_user"],
            extra_recipients=data["extra_recipients"],
            at_cap=data["at_cap"] or AtCap.TELL,
        )


def _initial(cap: SpendCap | None) -> dict[str, object]:
    if cap is None:
        return {"first_threshold": "70", "second_threshold": "100", "data_alert": True, "tell_user": True,
                "tell_main_user": True, "at_cap": AtCap.TELL}  # fmt: skip
    thresholds = [str(t) for t in cap.thresholds] + ["", ""]
    return {
        "amount": f"{cap.amount:.2f}",
        "first_threshold": thresholds[0],
        "second_threshold": thresholds[1],
        "data_alert": cap.data_alert,
        "tell_user": cap.tell_user,
        "tell_main_user": cap.tell_main_user,
        "extra_recipients": "\n".join(cap.extra_recipients),
        "at_cap": cap.at_cap,
    }


@require_http_methods(["GET", "HEAD", "POST"])
@context_page
def spend_cap(request: HttpRequest, connection_id: int) -> HttpResponse:
    acting: Context = request.acting  # type: ignore[attr-defined]
    identity = request.identity  # type: ignore[attr-defined]
    status = 200
    if request.method == "POST":
        form = SpendCapForm(request.POST)
        if form.is_valid():
            try:
                # The check and the write it guards in one transaction (SECURITY.md "Access control").
                with transaction.atomic():
                    connection = require_connection(identity, acting, Action.MANAGE_SPEND_CAP, connection_id)
                    cap_set(
                        request=request, identity=identity, context=acting, connection=connection, wanted=form.wanted()
                    )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("The spend cap is saved."))
                return redirect("portal:spend-cap", context=acting.key, connection_id=connection_id)
        status = 400
    connection = require_connection(identity, acting, Action.MANAGE_SPEND_CAP, connection_id)
    spend = running_spend(connection)
    if request.method != "POST":
        form = SpendCapForm(initial=_initial(spend.cap))
    record(request, "portal:spend:view", identity=identity, context=acting, target=connection)
    context = {
        "connection": connection,
        "spend": spend,
        "form": form,
        "barring": barring_in_force(connection),
        "prices": out_of_bundle_prices(connection.tariff_plan),
    }
    return render(request, "portal/spend/cap.html", context, status=status)


@require_POST
@context_page
def spend_cap_remove(request: HttpRequest, connection_id: int) -> HttpResponse:
    acting: Context = request.acting  # type: ignore[attr-defined]
    identity = request.identity  # type: ignore[attr-defined]
    with transaction.atomic():
        connection = require_connection(identity, acting, Action.MANAGE_SPEND_CAP, connection_id)
        cap_remove(request=request, identity=identity, context=acting, connection=connection)
    messages.success(request, _("The spend cap is removed."))
    return redirect("portal:spend-cap", context=acting.key, connection_id=connection_id)


@require_POST
@context_page
def spend_cap_lift(request: HttpRequest, connection_id: int) -> HttpResponse:
    """The cap's owner lifts a barring at the cap now (until the cap is reached again at another amount)."""
    acting: Context = request.acting  # type: ignore[attr-defined]
    identity = request.identity  # type: ignore[attr-defined]
    with transaction.atomic():
        connection = require_connection(identity, acting, Action.MANAGE_SPEND_CAP, connection_id)
        lifted = lift_by_hand(request=request, identity=identity, context=acting, connection=connection)
    if lifted:
        messages.success(request, _("The barring is being lifted. The number's user will be told when it is done."))
    else:
        messages.info(request, _("There is no barring to lift."))
    return redirect("portal:spend-cap", context=acting.key, connection_id=connection_id)


@require_safe
@context_page
def costs(request: HttpRequest) -> HttpResponse:
    """The current cycle's costs of every connection the context covers: per connection, cost centre and plan, the
    top spenders first; past months are the bills (linked)."""
    acting: Context = request.acting  # type: ignore[attr-defined]
    if not may(acting, Action.VIEW_SPEND):
        raise Http404
    identity = request.identity  # type: ignore[attr-defined]
    found = company_costs(connections_in(identity, acting))
    record(request, "portal:spend:costs", identity=identity, context=acting)
    return render(
        request,
        "portal/spend/costs.html",
        {"costs": found, "top": found.rows[:TOP_SPENDERS], "may_see_bills": may(acting, Action.VIEW_BILLS)},
    )
