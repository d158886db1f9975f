"""Template filters of the portal's pages."""

import datetime
import functools

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

from selfcare.identity.methods.registry import method_label

register = template.Library()


@register.filter
def method_name(key: str) -> str:
    """The eID method's name for people ("Smart-ID"), from the key stored in records ("smartid")."""
    return str(method_label(key))


@register.filter
def phone(e164: str) -> str:
    """+37129123456 → +371 29 123 456."""
    from selfcare.identifiers import format_msisdn

    return format_msisdn(e164)


@register.filter
def volume(value: int | None) -> str:
    """Bytes for people, in the reader's number format and the configured unit and step (selfcare.usage.formatting):
    5 000 000 000 → "5 GB", 1 500 000 000 → "1,5 GB", None → "Unlimited"."""
    from selfcare.usage.formatting import format_volume

    return format_volume(value)


@register.filter
def quantity(value: int | None, unit: str) -> str:
    """A bucket figure in its unit: bytes, seconds (shown as minutes) or messages."""
    from selfcare.usage.formatting import format_quantity

    return format_quantity(value, unit)


@register.filter
def item(mapping: dict[str, object], key: str) -> object:
    """A dictionary's value by a key that is itself a variable ({{ counts|item:context.key }})."""
    return mapping.get(key)


@register.simple_tag
def context_label(context: object) -> str:
    """ "Private", "SIA X — main user", "SIA X — my work number": how a context is named everywhere."""
    from django.utils.translation import gettext

    from selfcare.access.contexts import Context, ContextKind

    assert isinstance(context, Context)
    if context.kind == ContextKind.PRIVATE:
        return gettext("Private")
    if context.kind == ContextKind.COMPANY:
        return gettext("%(company)s — main user") % {"company": context.company_name}
    if context.kind == ContextKind.REPRESENTATIVE:
        return gettext("%(company)s — representative") % {"company": context.company_name}
    return gettext("%(company)s — my work number") % {"company": context.company_name}


@register.filter
def on_day(value: datetime.date | None) -> str:
    """The day and month inside a sentence, in the case it needs there ("Atjaunojas 1. janvārī")."""
    from selfcare.formats.dates import on_day as format_on_day

    return format_on_day(value) if value is not None else ""


@register.filter
def on_date(value: datetime.date | None) -> str:
    """A full date inside a sentence, in the case it needs there ("beidzās 2027. gada 1. janvārī")."""
    from selfcare.formats.dates import on_date as format_on_date

    return format_on_date(value) if value is not None else ""


@register.filter
def last_moment(end: datetime.datetime | None) -> datetime.datetime | None:
    """An exclusive end as people read it: a gift valid until 1 December 00:00 is shown as 30 November 23:59:59 —
    "until 1 December" would promise a day it does not have."""
    return end - datetime.timedelta(seconds=1) if end is not None else None


@register.filter
def money(value: object, currency: str = "EUR") -> str:
    """A Decimal amount for the reader: "1 234,50 €" in Latvian and Russian, "€1,234.50" in English."""
    from decimal import Decimal

    from selfcare.formats.money import format_money

    return format_money(value, currency) if isinstance(value, Decimal) else ""


@register.filter
def rate_price(rate: object) -> str:
    """An out-of-bundle rate for the reader: "0,045 € per 1 min", "0,50 € per 1 MB"; "—" for none (not charged)."""
    from django.utils.translation import gettext

    from selfcare.formats.money import format_price
    from selfcare.usage.formatting import format_quantity
    from selfcare.usage.models import UNIT_OF_KIND, OutOfBundleRate

    if not isinstance(rate, OutOfBundleRate):
        return "—"
    return gettext("%(price)s per %(quantity)s") % {
        "price": format_price(rate.price),
        "quantity": format_quantity(rate.per, UNIT_OF_KIND[rate.kind]),
    }


@register.filter
def bill_status(bill: object, today: datetime.date) -> str:
    """ "paid", "unpaid" or "overdue" on this day."""
    from selfcare.billing.client import Bill

    return bill.status(today) if isinstance(bill, Bill) else ""


@register.filter
def allowance(includes: object, field: str) -> str:
    """A plan's monthly allowance for people (a `selfcare.orders.client.Includes` field): a volume, minutes or
    messages in the reader's format, "Unlimited", "Not included" for none, "—" where the catalogue says nothing."""
    from django.utils.translation import gettext

    from selfcare.usage.formatting import format_quantity

    stated: frozenset[str] = getattr(includes, "stated", frozenset())
    if field not in stated:
        return "—"
    value = getattr(includes, field)
    if value == 0:
        return gettext("Not included")
    if field == "voice_minutes":
        return format_quantity(None if value is None else value * 60, "second")
    return format_quantity(value, "message" if field == "sms" else "byte")


@register.simple_tag
def page_url(name: str) -> str:
    """`{% url name %}` for a page without arguments (the header's links on every page), reversed once per
    language, script prefix and URL configuration instead of on every page (docs/performance.md). Escaped as
    `{% url %}` is (a simple tag's result is)."""
    return _reversed(name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), get_language())


@functools.lru_cache(maxsize=512)
def _reversed(name: str, urlconf: object, prefix: str, language: str | None) -> str:
    return reverse(name, urlconf=urlconf)  # type: ignore[arg-type]


@receiver(setting_changed)
def _forget_urls(*, setting: str, **kwargs: object) -> None:
    """A test that swaps the URL configuration or the languages gets fresh links."""
    if setting in ("ROOT_URLCONF", "LANGUAGES", "LANGUAGE_CODE", "FORCE_SCRIPT_NAME"):
        _reversed.cache_clear()
