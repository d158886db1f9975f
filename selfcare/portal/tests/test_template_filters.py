"""Template filters: what people read about times and numbers."""

from __future__ import annotations

import datetime
import zoneinfo

from django.template import Context, Template
from django.utils import translation

RIGA = zoneinfo.ZoneInfo("Europe/Riga")


def test_a_gift_ending_at_the_start_of_december_is_shown_as_valid_until_the_last_minute_of_november() -> None:
    end = datetime.datetime(2026, 12, 1, 0, 0, tzinfo=RIGA)
    template = Template(
        "{% load portal %}"
        '{{ end|last_moment|date:"SHORT_DATETIME_FORMAT" }}|{{ end|last_moment|date:"SHORT_DATE_FORMAT" }}'
    )
    with translation.override("en"):
        shown, day = template.render(Context({"end": end})).split("|")
    assert "30/11/2026" in shown
    assert "23:59" in shown
    assert day == "30/11/2026"


def _in_sentence(language: str, day: datetime.date) -> tuple[str, str]:
    template = Template("{% load portal %}{{ day|on_day }}|{{ day|on_date }}")
    with translation.override(language):
        on_day, on_date = template.render(Context({"day": day})).split("|")
    return on_day, on_date


def test_a_day_inside_a_latvian_sentence_takes_the_locative_month() -> None:
    assert _in_sentence("lv", datetime.date(2027, 1, 1)) == ("1. janvārī", "2027. gada 1. janvārī")
    assert _in_sentence("lv", datetime.date(2026, 12, 3)) == ("3. decembrī", "2026. gada 3. decembrī")


def test_a_day_inside_a_russian_sentence_takes_the_genitive_month_in_small_letters() -> None:
    assert _in_sentence("ru", datetime.date(2027, 1, 1)) == ("1 января", "1 января 2027 г.")
    assert _in_sentence("ru", datetime.date(2027, 3, 8)) == ("8 марта", "8 марта 2027 г.")


def test_a_day_inside_an_english_sentence_is_day_then_month() -> None:
    assert _in_sentence("en", datetime.date(2027, 1, 1)) == ("1 January", "1 January 2027")


def test_the_renewal_day_reads_as_a_sentence_in_each_language() -> None:
    template = Template(
        "{% load i18n portal %}{% blocktranslate with day=d|on_day %}Renews on {{ day }}.{% endblocktranslate %}"
    )
    rendered = {}
    for language in ("lv", "ru", "en"):
        with translation.override(language):
            rendered[language] = template.render(Context({"d": datetime.date(2027, 1, 1)}))
    assert rendered == {"lv": "Atjaunojas 1. janvārī.", "ru": rendered["ru"], "en": "Renews on 1 January."}
    assert rendered["ru"].endswith("1 января.")


def test_a_day_and_month_standing_alone_reads_right_in_russian_and_english() -> None:
    template = Template('{{ d|date:"MONTH_DAY_FORMAT" }}')
    shown = {}
    for language in ("ru", "en", "lv"):
        with translation.override(language):
            shown[language] = template.render(Context({"d": datetime.date(2027, 1, 1)}))
    assert shown == {"ru": "1 января", "en": "1 January", "lv": "1. janvāris"}


def test_page_url_is_what_url_gives_in_every_language() -> None:
    names = ["portal:dashboard", "portal:me", "portal:my-security", "portal:logout", "portal:login", "set_language"]
    tag = Template("{% load portal %}" + "|".join(f"{{% page_url '{name}' %}}" for name in names))
    plain = Template("|".join(f"{{% url '{name}' %}}" for name in names))
    seen = set()
    for language in ("lv", "en", "ru", "lv"):
        with translation.override(language):
            shown = tag.render(Context({}))
            assert shown == plain.render(Context({}))
            seen.add(shown)
    assert len(seen) == 3  # each language its own links (Latvian without a prefix)


# The rows of a connections table as its template wrote them before connection_rows wrote them in Python.
_ROWS_AS_TEMPLATE = """{% load i18n portal %}{% for connection in connections %}
    <tr>
      <th scope="row"><a href="{{ connection.page_url }}"><span class="msisdn">{{ connection.msisdn|phone }}</span></a></th>
      <td data-label="{% translate 'User' %}" data-testid="row-user">{% if connection.bound_user %}{{ connection.bound_user }}{% if connection.user_label and connection.user_label != connection.bound_user %} <span class="note">({{ connection.user_label }})</span>{% endif %}{% else %}{{ connection.user_label }}{% endif %}</td>
      <td data-label="{% translate 'Tariff plan' %}">{{ connection.tariff_plan.name }}</td>
      <td data-label="{% translate 'Data left' %}" data-testid="row-data-left">{% if connection.data_left %}{% if connection.data_left.is_unlimited %}{% translate "Unlimited" %}{% else %}{{ connection.data_left.remaining|volume }}{% endif %}{% else %}—{% endif %}</td>
      <td data-label="{% translate 'Status' %}"><span class="status status-{{ connection.status }}">{{ connection.get_status_display }}</span></td>
    </tr>
  {% endfor %}"""  # noqa: E501 - the template's lines as they were


def test_connection_rows_are_what_the_table_template_wrote() -> None:
    from selfcare.customers.models import Connection, ConnectionStatus, TariffPlan
    from selfcare.usage.selectors import Figure

    plan = TariffPlan(name='Bizness <5 GB> & "more"')
    rows = []
    for number, label, bound, figure, status in [
        ("+37129100001", "Anna", "", Figure("byte", 5 * 10**9, 10**9, 4 * 10**9), ConnectionStatus.ACTIVE),
        ("+37129100002", "<Noliktava>", "Pēteris O'Zols", None, ConnectionStatus.SUSPENDED),
        ("+37129100003", "Pēteris O'Zols", "Pēteris O'Zols", Figure("byte", None, 10**9, None), "unknown"),
        ("+37125100004", "", None, Figure("byte", 10**9, 2 * 10**9, 0), ConnectionStatus.ACTIVE),
    ]:
        connection = Connection(msisdn=number, user_label=label, tariff_plan=plan, status=status)
        connection.page_url = f"/en/acting/company-7/connections/{number[-1]}/?a=1&b=2"  # type: ignore[attr-defined]
        if bound is not None:
            connection.bound_user = bound  # type: ignore[attr-defined]
        if figure is not None:
            connection.data_left = figure  # type: ignore[attr-defined]
        rows.append(connection)
    tag = Template("{% load portal %}{% connection_rows connections %}")
    for language in ("lv", "en", "ru"):
        with translation.override(language):
            context = {"connections": rows}
            assert tag.render(Context(context)) == Template(_ROWS_AS_TEMPLATE).render(Context(context))


def test_kept_url_writes_what_url_writes_for_every_route_a_template_names_in_every_language() -> None:
    """`{% kept_url %}` (the connection page's and the offers' links) reverses a route once with markers and puts each
    call's values in their place: for every route a template names with it, whole numbers and context keys give
    exactly what `{% url %}` gives, the second time from the kept parts too, and other values are left to Django."""
    import re
    from pathlib import Path

    import pytest
    from django.urls import NoReverseMatch, reverse

    import selfcare
    from selfcare.portal.templatetags.portal import kept_url

    used: dict[str, list[str]] = {}
    for path in Path(selfcare.__file__).parent.rglob("templates/**/*.html"):
        for name, arguments in re.findall(r"{% kept_url '([^']+)'((?: \w+=[\w.]+)*)", path.read_text()):
            used[name] = [argument.split("=")[0] for argument in arguments.split()]
    assert {"portal:offer-claim", "portal:offer-image", "portal:connection-manage", "portal:offers"} <= set(used)
    keys_seen = ("private", "company-12", "work-3", "representative-77")
    numbers = (0, 7, 12, 99_999, 4_000_000_000)
    for language in ("lv", "en", "ru"):
        with translation.override(language):
            for name, keys in used.items():
                for _ in range(2):
                    for key_value in keys_seen:
                        for number in numbers:
                            values: dict[str, object] = {
                                key: key_value if key == "context" else number + position
                                for position, key in enumerate(keys)
                            }
                            assert kept_url(name, **values) == reverse(name, kwargs=values), (name, values)
            # Values no marker stands for: Django's own answer, a URL or its refusal.
            assert kept_url("portal:offers", context="a b") == reverse("portal:offers", kwargs={"context": "a b"})
            with pytest.raises(NoReverseMatch):
                kept_url("portal:offer-image", offer_id=-1)
            with pytest.raises(NoReverseMatch):
                kept_url("portal:offers", context="a/b")
    template = Template(
        "{% load portal %}{% kept_url 'portal:offer-claim' context=key connection_id=c offer_id=o as claim %}"
        "[{{ claim }}]{% kept_url 'portal:offers' context=key %}|"
        "[{% url 'portal:offer-claim' context=key connection_id=c offer_id=o %}]{% url 'portal:offers' context=key %}"
    )
    with translation.override("en"):
        kept, plain = template.render(Context({"key": "company-5", "c": 10, "o": 2})).split("|")
    assert kept == plain == "[/en/acting/company-5/connections/10/offers/2/claim/]/en/acting/company-5/offers/"


def test_shown_choice_is_what_get_display_gives_for_every_choice_and_a_value_that_is_none() -> None:
    from selfcare.customers.models import Connection, ConnectionStatus, SimState
    from selfcare.portal.templatetags.portal import shown_choice

    template = Template('{% load portal %}{{ c|shown_choice:"status" }}|{{ c|shown_choice:"sim_state" }}')
    plain = Template("{{ c.get_status_display }}|{{ c.get_sim_state_display }}")
    values = [(status, sim) for status in [*ConnectionStatus.values, "gone"] for sim in [*SimState.values, "lost"]]
    for language in ("lv", "en", "ru"):
        with translation.override(language):
            for _ in range(2):  # the second time from the kept labels
                for status, sim in values:
                    connection = Connection(status=status, sim_state=sim)
                    assert shown_choice(connection, "status") == connection.get_status_display()
                    assert template.render(Context({"c": connection})) == plain.render(Context({"c": connection}))
    with translation.override("lv"):
        latvian = shown_choice(Connection(status=ConnectionStatus.ACTIVE), "status")
    with translation.override("en"):
        assert shown_choice(Connection(status=ConnectionStatus.ACTIVE), "status") != latvian
