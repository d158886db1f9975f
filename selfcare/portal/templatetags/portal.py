"""Template filters of the portal's pages."""

import datetime
import functools
import re
from collections.abc import Iterable
from typing import Any

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.db.models import Field
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from selfcare.identity.methods.registry import method_label

register = template.Library()


@register.filter
def method_name(key: str) -> str:
    """The eID method's name for people ("Smart-ID"), from the key stored in records ("smartid")."""
    return str(method_label(key))


@register.filter
def phone(e164: str) -> str:
    """+37129123456 → +371 29 123 456."""
    return _phone(str(e164))


@functools.lru_cache(maxsize=8192)
def _phone(e164: str) -> str:
    """libphonenumber parses and formats each number anew (a tenth of a connection list's CPU, fifty rows); the
    same number is always written the same way, so the numbers seen lately are kept (bounded)."""
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
    """`{% url name %}` for a page without arguments (the header's links on every page): `kept_url` with none,
    reversed once per language, script prefix and URL configuration instead of on every page (docs/performance.md).
    Escaped as `{% url %}` is (a simple tag's result is)."""
    return kept_url(name)


# A connections table's row, as the table's template wrote it (each value escaped as `{{ }}` escapes it).
_ROW = (
    '\n    <tr>\n      <th scope="row"><a href="{url}"><span class="msisdn">{number}</span></a></th>'
    '\n      <td data-label="{user_label}" data-testid="row-user">{user}</td>'
    '\n      <td data-label="{plan_label}">{plan}</td>'
    '\n      <td data-label="{data_label}" data-testid="row-data-left">{data_left}</td>'
    '\n      <td data-label="{status_label}"><span class="status status-{status}">{status_name}</span></td>'
    "\n    </tr>\n  "
)


@register.simple_tag
def connection_rows(connections: Iterable[Any]) -> SafeString:
    """The rows of a connections table (portal/dashboard/_connections_table.html): number and link (`page_url`, set
    by the view), user (who bound the number, `bound_user`, and its label), plan, data left (`data_left`), status.
    Written here once per row instead of some twenty template lookups and filters per row: a connection list's
    fifty rows were half of its template (docs/performance.md)."""
    from selfcare.usage.formatting import format_volume

    labels = {
        "user_label": escape(gettext("User")),
        "plan_label": escape(gettext("Tariff plan")),
        "data_label": escape(gettext("Data left")),
        "status_label": escape(gettext("Status")),
    }
    unlimited = escape(gettext("Unlimited"))
    statuses: dict[str, str] | None = None
    rows = []
    for connection in connections:
        if statuses is None:  # `get_status_display` per row built the choices' dict anew (a twentieth of a list)
            choices = type(connection)._meta.get_field("status").flatchoices
            statuses = {value: escape(label) for value, label in choices}
        label = connection.user_label
        bound = getattr(connection, "bound_user", "")
        user: str = escape(bound or label)
        if bound and label and label != bound:
            user += f' <span class="note">({escape(label)})</span>'
        figure = getattr(connection, "data_left", None)
        data_left: str
        if figure is None:
            data_left = "—"
        elif figure.is_unlimited:
            data_left = unlimited
        else:
            data_left = escape(format_volume(figure.remaining))
        rows.append(
            _ROW.format(
                url=escape(connection.page_url),
                number=escape(phone(connection.msisdn)),
                user=user,
                plan=escape(connection.tariff_plan.name),
                data_left=data_left,
                status=escape(connection.status),
                status_name=statuses.get(connection.status) or escape(connection.status),
                **labels,
            )
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped


# `{% kept key … %}…{% endkept %}`: a part of a template whose text depends on nothing but the active language, the
# URL configuration and script prefix, the autoescape setting and the keys named in the tag, rendered by Django the
# first time and kept per those (the base's language switcher and footer on every page; docs/performance.md). What
# the part shows must not depend on anything else (the person, the request, the CSRF token, a CSP nonce): those
# stay outside it. The kept texts are forgotten when any setting changes (tests).
_KEPT_PARTS: dict[tuple[object, ...], SafeString] = {}
_KEPT_PARTS_MAX = 512  # a bound, not an expected size: a few parts × languages × brands


class KeptNode(template.Node):
    def __init__(self, nodelist: template.NodeList, keys: list[template.base.FilterExpression]) -> None:
        self.nodelist = nodelist
        self.keys = keys

    def render(self, context: template.Context) -> SafeString:
        key = (
            self,
            get_language(),
            get_urlconf() or settings.ROOT_URLCONF,
            get_script_prefix(),
            bool(context.autoescape),
            *(expression.resolve(context) for expression in self.keys),
        )
        text = _KEPT_PARTS.get(key)
        if text is None:
            if len(_KEPT_PARTS) >= _KEPT_PARTS_MAX:
                _KEPT_PARTS.clear()
            text = _KEPT_PARTS[key] = mark_safe(self.nodelist.render(context))  # noqa: S308 - Django's own rendering
        return text


@register.tag("kept")
def do_kept(parser: template.base.Parser, token: template.base.Token) -> KeptNode:
    keys = [parser.compile_filter(bit) for bit in token.split_contents()[1:]]
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(nodelist, keys)


@receiver(setting_changed)
def _forget_kept_parts(**kwargs: object) -> None:
    _KEPT_PARTS.clear()


# `{% kept_url name key=value … %}`: `{% url %}` for a route whose arguments are whole numbers (`<int:…>`) and
# context keys (`<str:…>`, "private", "company-12"), the connection page's eight links (each `reverse` was about a
# hundred and fifty Python calls; docs/performance.md). The route is reversed once per language, script prefix and
# URL configuration with marker values, and each call puts its values where the markers were: what `reverse` writes
# for them, since such values pass the converters unchanged (`str(number)`, the key itself, nothing to quote). Any
# other value is reversed by Django as `{% url %}` would. A test reverses every route a template names here both
# ways, in every language.
_PLAIN_KEY = re.compile(r"[a-z]+(?:-[0-9]{1,12})?")
_INT_MARK, _KEY_MARK = 9_437_000_000_000, "zqmarkz"


@register.simple_tag
def kept_url(name: str, **values: object) -> str:
    if not all(
        (type(value) is int and value >= 0) or (type(value) is str and _PLAIN_KEY.fullmatch(value))
        for value in values.values()
    ):
        return reverse(name, kwargs=values)
    shape = tuple((key, type(value) is int) for key, value in values.items())
    parts = _url_parts(name, shape, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), get_language())
    if parts is None:
        return reverse(name, kwargs=values)
    head, tails = parts
    return head + "".join(f"{values[key]}{tail}" for key, tail in tails)


@functools.lru_cache(maxsize=256)
def _url_parts(
    name: str, shape: tuple[tuple[str, bool], ...], urlconf: object, prefix: str, language: str | None
) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    """The route reversed with a marker for each value, cut at the markers: the text before the first and, for each
    value in the order the URL holds them, its name and the text after it. None when the markers do not each appear
    once (then every call reverses)."""
    markers = {key: str(_INT_MARK + n) if is_int else f"{_KEY_MARK}{n}" for n, (key, is_int) in enumerate(shape)}
    kwargs: dict[str, object] = {key: int(mark) if mark.isdigit() else mark for key, mark in markers.items()}
    url = reverse(name, urlconf=urlconf, kwargs=kwargs)  # type: ignore[arg-type]
    if any(url.count(mark) != 1 for mark in markers.values()):
        return None
    order = sorted(markers, key=lambda key: url.index(markers[key]))
    head, rest = url.split(markers[order[0]], 1) if order else (url, "")
    tails = []
    for index, key in enumerate(order):
        if index + 1 < len(order):
            tail, rest = rest.split(markers[order[index + 1]], 1)
        else:
            tail = rest
        tails.append((key, tail))
    return head, tuple(tails)


@receiver(setting_changed)
def _forget_url_parts(*, setting: str, **kwargs: object) -> None:
    if setting in ("ROOT_URLCONF", "LANGUAGES", "LANGUAGE_CODE", "FORCE_SCRIPT_NAME"):
        _url_parts.cache_clear()


@register.filter
def shown_choice(instance: Any, field_name: str) -> object:
    """`{{ connection|shown_choice:"status" }}`: what `connection.get_status_display` gives (the choice's label in
    the active language, or the value itself when it is not a choice), kept per model, field, value and language:
    Django's method builds the field's choices anew on each call (about two hundred Python calls; two a connection
    page). A test compares them for every choice and a value that is none, in every language."""
    value = getattr(instance, field_name)
    try:
        return _choice_label(instance._meta.get_field(field_name), value, get_language())
    except TypeError:  # a value that cannot be a key
        return getattr(instance, f"get_{field_name}_display")()


@functools.lru_cache(maxsize=1024)
def _choice_label(field: Field[Any, Any], value: object, language: str | None) -> object:
    """As Django's `Model._get_FIELD_display` writes it; `language` is only part of the key (the labels are lazy
    translations, made in the active language)."""
    return force_str(dict(make_hashable(field.flatchoices)).get(make_hashable(value), value), strings_only=True)


@receiver(setting_changed)
def _forget_choice_labels(**kwargs: object) -> None:
    _choice_label.cache_clear()
