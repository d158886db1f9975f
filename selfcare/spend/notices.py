"""Sending an alert: the text, in the portal's default language (as the orders' notices), to each recipient the cap
names, by SMS (numbers) or e-mail (addresses), each through its existing queue and worker."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from selfcare.background.mail import queue_email
from selfcare.binding.sms import queue_sms
from selfcare.formats.money import format_money
from selfcare.identifiers.msisdn import format_msisdn
from selfcare.security.devices import notification_number
from selfcare.security.models import NotificationContact
from selfcare.spend.models import Reason, SpendAlert, SpendCap


def alert_text(alert: SpendAlert, cap: SpendCap, msisdn: str) -> str:
    values = {"brand": settings.BRAND.name, "number": format_msisdn(msisdn), "percent": alert.threshold}
    if alert.reason == Reason.DATA:
        return _("%(brand)s: %(number)s has used %(percent)s%% of its data bundle.") % values
    return _(
        "%(brand)s: the extra charges of %(number)s reached %(percent)s%% of its monthly cap: %(spend)s of %(cap)s."
    ) % {
        **values,
        "spend": format_money(alert.spend or Decimal("0")),
        "cap": format_money(alert.cap or cap.amount),
    }


def recipients(cap: SpendCap, msisdn: str) -> tuple[list[str], list[str]]:
    """(numbers, e-mail addresses) the cap names, each once."""
    numbers: list[str] = []
    addresses: list[str] = []
    if cap.tell_user:
        numbers.append(msisdn)
    if cap.tell_main_user and cap.set_by is not None:
        number = notification_number(cap.set_by)
        if number:
            numbers.append(number)
        email = NotificationContact.objects.filter(identity=cap.set_by).values_list("email", flat=True).first()
        if email:
            addresses.append(email)
    for extra in cap.extra_recipients:
        (addresses if "@" in extra else numbers).append(extra)
    return list(dict.fromkeys(numbers)), list(dict.fromkeys(addresses))


def send(alert_id: int) -> bool:
    """Queue the alert's messages, once: the alert row is claimed (sent_at set) in the same transaction that queues
    them, so a task run twice sends nothing the second time. False if it was sent already or has no cap any more."""
    with transaction.atomic():
        alert = SpendAlert.objects.select_for_update().select_related("connection").get(pk=alert_id)
        cap = SpendCap.objects.filter(connection_id=alert.connection_id).select_related("set_by").first()
        if alert.sent_at is not None or cap is None:
            return False
        msisdn = str(alert.connection.msisdn)
        with translation.override(settings.LANGUAGE_CODE):
            text = alert_text(alert, cap, msisdn)
            subject = _("%(brand)s: spending alert") % {"brand": settings.BRAND.name}
        numbers, addresses = recipients(cap, msisdn)
        for number in numbers:
            queue_sms(number, text)
        if addresses:
            queue_email(subject, text, addresses)
        alert.sent_at = timezone.now()
        alert.save(update_fields=["sent_at"])
    return True
