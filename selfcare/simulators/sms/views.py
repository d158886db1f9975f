"""The demo phone: the SMS messages of the outbox backend, per number, as a phone would show them.

Demo only (404 otherwise): the messages hold one-time codes.
"""

from __future__ import annotations

from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from selfcare.binding.models import SmsMessage
from selfcare.simulators.gate import demo_only


@require_safe
@never_cache
@demo_only
def numbers(request: HttpRequest) -> HttpResponse:
    rows = SmsMessage.objects.values("to").annotate(count=Count("pk"), last=Max("created_at")).order_by("-last")
    return render(request, "simulators/sms/numbers.html", {"numbers": rows})


@require_safe
@never_cache
@demo_only
def phone(request: HttpRequest, msisdn: str) -> HttpResponse:
    texts = SmsMessage.objects.filter(to=msisdn).order_by("-created_at", "-pk")
    return render(request, "simulators/sms/phone.html", {"msisdn": msisdn, "texts": texts})
