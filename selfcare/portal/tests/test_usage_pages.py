"""Usage on the connection page and the dashboard rows: remaining data first, the daily chart with its table,
earlier cycles; only for those who may see the connection."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection as db
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from selfcare.access.tests import factories as people
from selfcare.customers.models import GB
from selfcare.customers.tests import factories
from selfcare.offers.tests import factories as offers
from selfcare.tests.clock import at
from selfcare.usage.services import grant_bonus
from selfcare.usage.tests.helpers import feed, row

pytestmark = pytest.mark.django_db
MB = 1000**2


@pytest.fixture
def owner_connection() -> tuple[Client, str]:
    """A private customer with a 10 GB plan who used 2.7 GB today and 100 MB in the EU, and some last month."""
    identity = people.person("15038512346")
    connection = factories.connection(
        account=factories.private_account(personal_code="150385-12346"),
        tariff_plan=factories.tariff_plan(data_bytes=10 * GB, eu_data_bytes=8 * GB),
        msisdn="+37129100001",
    )
    now = timezone.now()
    feed(
        row(connection.msisdn, 2700 * MB, now),
        row(connection.msisdn, 100 * MB, now, zone="eu"),
        row(connection.msisdn, 3 * GB, now - datetime.timedelta(days=40)),
    )
    client = Client()
    client.force_login(identity.user)
    return client, f"/en/acting/private/connections/{connection.pk}/"


def test_the_connection_page_shows_the_remaining_data_first(owner_connection: tuple[Client, str]) -> None:
    client, url = owner_connection
    html = client.get(url).content.decode()
    assert "7.3 GB of 10 GB left" in html
    assert html.index('data-testid="data-left"') < html.index("Tariff plan")
    assert "Renews on" in html
    assert 'data-testid="as-of"' in html
    # EU data is part of the bundle, not a second one beside it: of the 7.3 GB left, all may be used in the EU
    # (its allowance, the RLAH floor of 10 GB, minus the 100 MB used there, is more).
    assert "Of this, up to 7.3 GB can be used in the EU (at most 10 GB a cycle)." in html
    assert "Used in the EU so far: 100 MB." in html
    assert "9.9 GB of 10 GB left" not in html


def test_the_daily_chart_is_an_svg_with_a_table_as_its_text_alternative(owner_connection: tuple[Client, str]) -> None:
    client, url = owner_connection
    html = client.get(url).content.decode()
    assert '<svg class="usage-chart"' in html
    assert 'role="img"' in html
    assert 'class="bar-roaming"' in html
    assert 'data-testid="usage-table"' in html
    assert "2.7 GB" in html  # today's use in Latvia, in the table
    # Axes: the scale names the busiest day's use, half of it and nothing; the days under the bars are dated.
    scale = re.search(r'data-testid="chart-scale">(.*?)</ol>', html)
    assert scale is not None
    assert re.findall(r"<li>(.*?)</li>", scale.group(1))[-1] == "0 MB"
    assert "2.8 GB" in scale.group(1)  # 2.7 GB at home + 100 MB in the EU, today
    days = re.search(r'data-testid="chart-days">(.*?)</ol>', html)
    assert days is not None
    assert len(re.findall(r"<li>", days.group(1))) >= 1
    assert "<title>" in html.split('id="chart-svg-title"')[1]  # each day's bar carries its date and value
    assert "<script" not in html.split('data-testid="usage-chart"')[1].split("</section>")[0]


def test_earlier_cycles_are_listed_with_their_use(owner_connection: tuple[Client, str]) -> None:
    client, url = owner_connection
    html = client.get(url).content.decode()
    assert 'data-testid="earlier-cycles"' in html
    assert "3 GB" in html.split('data-testid="earlier-cycles"')[1]


def test_numbers_follow_the_readers_language(owner_connection: tuple[Client, str]) -> None:
    client, url = owner_connection
    assert "7,3 GB" in client.get(url.removeprefix("/en")).content.decode()


def test_the_dashboard_rows_show_the_data_left(owner_connection: tuple[Client, str]) -> None:
    client, _url = owner_connection
    html = client.get("/en/dashboard/").content.decode()
    assert "7.3 GB" in html.split('data-testid="row-data-left"')[1].split("</td>")[0]


def test_an_unlimited_plan_shows_unlimited_and_its_fair_use_cap(client: Client) -> None:
    identity = people.person("15038512346")
    plan = factories.tariff_plan(data_bytes=None, fair_use_bytes=300 * GB, eu_data_bytes=40 * GB)
    connection = factories.connection(account=factories.private_account(personal_code="150385-12346"), tariff_plan=plan)
    client.force_login(identity.user)
    html = client.get(f"/en/acting/private/connections/{connection.pk}/").content.decode()
    assert "Unlimited data" in html
    assert "fair use 300 GB" in html
    assert "In the EU you can use 40 GB of it this cycle (up to 40 GB a cycle)." in html


def test_a_gift_is_listed_with_what_is_left_of_it(client: Client) -> None:
    identity = people.person("15038512346")
    connection = factories.connection(account=factories.private_account(personal_code="150385-12346"))
    grant_bonus(connection, unit="byte", amount=5 * GB, label="Komplimenti +5 GB", source_key="gift-page")
    client.force_login(identity.user)
    html = client.get(f"/en/acting/private/connections/{connection.pk}/").content.decode()
    assert "Komplimenti +5 GB" in html
    assert "10 GB of 10 GB left" in html  # 5 GB plan + 5 GB gift


def test_an_employee_sees_the_usage_of_their_work_number_and_a_colleague_gets_404(client: Client) -> None:
    company = factories.company()
    account = factories.business_account(company=company)
    own = factories.connection(account=account, tariff_plan=factories.tariff_plan(data_bytes=5 * GB))
    colleagues = factories.connection(account=account)
    employee = people.person("22079018761")
    people.binding(own, employee)
    colleague = people.person("32579104511")
    people.binding(colleagues, colleague)
    feed(row(own.msisdn, 1 * GB, timezone.now()))
    client.force_login(employee.user)
    html = client.get(f"/en/acting/work-{company.pk}/connections/{own.pk}/").content.decode()
    assert "4 GB of 5 GB left" in html
    assert client.get(f"/en/acting/work-{company.pk}/connections/{colleagues.pk}/").status_code == 404


def test_another_company_or_a_stranger_gets_404_not_the_usage(owner_connection: tuple[Client, str]) -> None:
    _client, url = owner_connection
    stranger = Client()
    stranger.force_login(people.person("32579104511").user)
    assert stranger.get(url).status_code == 404
    other_company = factories.company()
    boss = people.person("22079018761")
    people.mandate(other_company, boss)
    boss_client = Client()
    boss_client.force_login(boss.user)
    assert boss_client.get(url.replace("private", f"company-{other_company.pk}")).status_code == 404


def test_the_connection_page_costs_eleven_statements_with_offers_on_show(owner_connection: tuple[Client, str]) -> None:
    """Session, the user with their identity; the private context (the person's codes read inside it), the
    connection, the audit event; buckets, daily use, earlier cycles; the offers with their pictures and plans, the
    claims; the barring."""
    client, url = owner_connection
    offers.offer(tariff_plans=[factories.tariff_plan()])  # for another plan: shown with the reason
    offers.offer()
    with at(timezone.now()):  # the clock stands still: the session is not touched again between the two requests
        assert client.get(url).status_code == 200
        with CaptureQueriesContext(db) as captured:
            html = client.get(url).content.decode()
    assert len(captured) == 11, [q["sql"][:80] for q in captured.captured_queries]
    assert html.count('class="offer offer-') == 2


# The usage card's sentences as the card wrote them before they were made in Python (selfcare.portal.usage
# usage_sentences): the same msgids, filters and escaping must give the same text in every language.
_CARD_AS_TEMPLATE = (
    "{% load i18n portal %}{% with data=summary.data %}"
    "{% if data.is_unlimited %}{% blocktranslate with used=data.used|volume cap=data.fair_use_cap|volume %}"
    "{{ used }} used in this cycle; fair use {{ cap }}.{% endblocktranslate %}"
    "{% else %}{% blocktranslate with left=data.remaining|volume total=data.allowance|volume %}"
    "{{ left }} of {{ total }} left{% endblocktranslate %}{% endif %}|"
    "{% if data.is_unlimited %}{% blocktranslate with left=summary.eu_data.remaining|volume"
    " total=summary.eu_data.allowance|volume %}In the EU you can use {{ left }} of it this cycle"
    " (up to {{ total }} a cycle).{% endblocktranslate %}{% else %}{% blocktranslate with"
    " usable=summary.eu_usable|volume total=summary.eu_data.allowance|volume %}Of this, up to {{ usable }} can"
    " be used in the EU (at most {{ total }} a cycle).{% endblocktranslate %}{% endif %}"
    "{% if summary.eu_data.used %} {% blocktranslate with used=summary.eu_data.used|volume %}"
    "Used in the EU so far: {{ used }}.{% endblocktranslate %}{% endif %}|"
    "{% blocktranslate with day=summary.renews_on|on_day %}Renews on {{ day }}.{% endblocktranslate %}|"
    '{% blocktranslate with moment=summary.as_of|date:"SHORT_DATETIME_FORMAT" %}Figures as of {{ moment }}.'
    "{% endblocktranslate %}|"
    "{% if data.out_of_bucket %}{% blocktranslate with extra=data.out_of_bucket|volume %}Used beyond the"
    " allowance: {{ extra }}.{% endblocktranslate %}{% endif %}|"
    '{% if not summary.voice.is_unlimited %}{% blocktranslate with left=summary.voice.remaining|quantity:"second"'
    ' total=summary.voice.allowance|quantity:"second" %}{{ left }} of {{ total }} left{% endblocktranslate %}'
    "{% endif %}|"
    '{% if not summary.sms.is_unlimited %}{% blocktranslate with left=summary.sms.remaining|quantity:"message"'
    ' total=summary.sms.allowance|quantity:"message" %}{{ left }} of {{ total }} left{% endblocktranslate %}'
    "{% endif %}|"
    "{% for gift in summary.gifts %}{% blocktranslate with left=gift.remaining|quantity:gift.unit"
    ' total=gift.allowance|quantity:gift.unit day=gift.valid_until|last_moment|date:"SHORT_DATE_FORMAT" %}'
    "{{ left }} of {{ total }} left, until {{ day }}{% endblocktranslate %};{% endfor %}{% endwith %}"
)


def _card_in_python(said: dict[str, object]) -> str:
    data = said.get("fair_use") or said["data_left"]
    eu = f"{said['eu']} {said['eu_used']}" if "eu_used" in said else str(said["eu"])
    gifts = "".join(f"{text};" for _gift, text in said["gifts"])  # type: ignore[attr-defined]
    parts = [
        data,
        eu,
        said["renews"],
        said["as_of"],
        said.get("beyond", ""),
        said.get("voice", ""),
        said.get("sms", ""),
    ]
    return "|".join(str(part) for part in parts) + "|" + gifts


@pytest.mark.parametrize("language", ["lv", "en", "ru"])
def test_the_usage_card_sentences_made_in_python_read_as_the_template_wrote_them(language: str) -> None:
    from django.template import Context, Template
    from django.utils import translation

    from selfcare.portal.usage import usage_sentences
    from selfcare.usage.selectors import remaining_summary

    limited = factories.connection(
        account=factories.private_account(personal_code="150385-12346"),
        tariff_plan=factories.tariff_plan(data_bytes=10 * GB, eu_data_bytes=8 * GB, voice_minutes=300, sms=100),
        msisdn="+37129100001",
    )
    unlimited = factories.connection(
        account=factories.private_account(personal_code="220790-18761"),
        tariff_plan=factories.tariff_plan(data_bytes=None, fair_use_bytes=50 * GB, eu_data_bytes=12 * GB),
        msisdn="+37129100002",
    )
    now = timezone.now()
    feed(
        row(limited.msisdn, 11 * GB, now),  # beyond the allowance
        row(limited.msisdn, 100 * MB, now, zone="eu"),
        row(unlimited.msisdn, 2700 * MB, now),
    )
    grant_bonus(limited, unit="byte", amount=5 * GB, label="Komplimenti +5 GB", source_key="card-gift")
    grant_bonus(limited, unit="second", amount=600, label="<Minūtes & co>", source_key="card-minutes")
    template = Template(_CARD_AS_TEMPLATE)
    summaries = [remaining_summary(limited), remaining_summary(unlimited)]
    assert [summary.data.is_unlimited for summary in summaries] == [False, True]
    assert summaries[0].data.out_of_bucket > 0
    assert summaries[0].eu_data.used > 0
    assert len(summaries[0].gifts) == 2
    for summary in summaries:
        with translation.override(language):
            assert _card_in_python(usage_sentences(summary)) == template.render(Context({"summary": summary}))


def test_the_itemised_usage_links_are_the_ones_reverse_gives(owner_connection: tuple[Client, str]) -> None:
    from django.urls import reverse
    from django.utils import translation

    client, url = owner_connection
    connection_id = int(url.rstrip("/").rsplit("/", 1)[1])
    for language, prefix in (("en", "/en"), ("lv", "")):  # Latvian URLs have no prefix
        response = client.get(url.replace("/en", prefix, 1))
        html = response.content.decode()
        months = [month for month, _name, _csv, _xlsx in response.context["itemised_months"]]
        assert len(months) == 6
        for month in months:
            for kind in ("csv", "xlsx"):
                kwargs = {
                    "context": "private",
                    "connection_id": connection_id,
                    "year": month.year,
                    "month": month.month,
                }
                with translation.override(language):
                    link = reverse(f"portal:usage-{kind}", kwargs=kwargs)
                assert f'<a href="{link}" download>' in html


@pytest.mark.parametrize("language", ["lv", "en", "ru"])
def test_the_itemised_months_written_in_python_read_as_the_template_wrote_them(language: str) -> None:
    from django.template import Context, Template
    from django.utils import translation

    from selfcare.portal.dashboard import itemised_list, month_name

    months = [datetime.date(2026, m, 1) for m in range(1, 13)] + [datetime.date(2027, 1, 1)]
    links = [(m, "", f"/a&b/usage-{m.year}-{m.month}.csv", f'/"x"/usage-{m.month}.xlsx') for m in months]
    template = Template(
        '{% for month, name, csv, xlsx in links %}<li>{{ month|date:"F Y"|capfirst }}: <a href="{{ csv }}" download>'
        'CSV</a>, <a href="{{ xlsx }}" download>XLSX</a></li>{% endfor %}'
    )
    with translation.override(language):
        for _ in range(2):  # the second time from the kept names
            named = [(m, month_name(m, language), csv, xlsx) for m, _name, csv, xlsx in links]
            assert itemised_list(named) == template.render(Context({"links": links}))


# The chart's bars, table rows and axes as the card's template wrote them before they were made in Python
# (selfcare.portal.usage Chart.bars_markup, table_markup, scale_markup, days_markup): the same filters must give the
# same bytes.
_BARS_AS_TEMPLATE = (
    "{% load l10n portal %}"
    '{% for bar in chart.bars %}<g><title>{{ bar.use.day|date:"MONTH_DAY_FORMAT" }}: {{ bar.use.total|volume }}'
    '</title><rect class="bar-home" x="{{ bar.x|unlocalize }}" y="{{ bar.home_y|unlocalize }}" width="10"'
    ' height="{{ bar.home_height|unlocalize }}"></rect>{% if bar.roaming_height %}<rect class="bar-roaming"'
    ' x="{{ bar.x|unlocalize }}" y="{{ bar.roaming_y|unlocalize }}" width="10"'
    ' height="{{ bar.roaming_height|unlocalize }}"></rect>{% endif %}</g>{% endfor %}|'
    '{% for bar in chart.bars %}<tr><th scope="row">{{ bar.use.day|date:"SHORT_DATE_FORMAT" }}</th>'
    "<td>{{ bar.use.home|volume }}</td><td>{{ bar.use.roaming|volume }}</td></tr>{% endfor %}|"
    "{% for value in chart.scale %}<li>{{ value|volume }}</li>{% endfor %}|"
    '{% for use in chart.days %}<li>{{ use.day|date:"MONTH_DAY_FORMAT" }}</li>{% endfor %}'
)


@pytest.mark.parametrize("language", ["lv", "en", "ru"])
@pytest.mark.parametrize("unit", ["decimal", "binary"])
def test_the_chart_written_in_python_reads_as_the_template_wrote_it(language: str, unit: str) -> None:
    from django.template import Context, Template
    from django.test import override_settings
    from django.utils import translation

    from selfcare.portal.usage import daily_chart
    from selfcare.usage.selectors import DayUse

    first = datetime.date(2026, 2, 1)
    uses = [0, 1, 999_999, 1_500_000_000, 7_349_000_000, 2 * GB, 123_456_789_012]
    days = [
        DayUse(day=first + datetime.timedelta(days=index), home=use, roaming=(index % 3) * 40_000_000)
        for index, use in enumerate(uses * 4)  # 28 days: every month name and both digits of a day
    ]
    chart = daily_chart(days)
    template = Template(_BARS_AS_TEMPLATE)
    with override_settings(USAGE_VOLUME_UNIT=unit), translation.override(language):
        for _ in range(2):  # the second time from the kept labels and volumes
            written = f"{chart.bars_markup()}|{chart.table_markup()}|{chart.scale_markup()}|{chart.days_markup()}"
            assert written == template.render(Context({"chart": chart}))


def test_a_kept_volume_follows_the_language_the_unit_and_the_step() -> None:
    from django.test import override_settings
    from django.utils import translation

    from selfcare.usage.formatting import format_volume

    with translation.override("lv"):
        assert format_volume(1_500_000_000) == "1,5 GB"
    with translation.override("en"):
        assert format_volume(1_500_000_000) == "1.5 GB"
        with override_settings(USAGE_VOLUME_UNIT="binary"):
            assert format_volume(1_500_000_000) == "1.367 GiB"
        with override_settings(USAGE_VOLUME_STEP_MB=1000):
            assert format_volume(1_500_000_000) == "1 GB"
        assert format_volume(1_500_000_000) == "1.5 GB"
        assert format_volume(None) == "Unlimited"


def test_the_dashboard_rows_buckets_read_is_planned_with_its_values_on_postgresql(
    owner_connection: tuple[Client, str],
) -> None:
    # With server-side binding a read run five times on a connection is prepared and may keep a generic plan: the
    # rows' buckets read kept one made on a nearly empty table and scanned every bucket (docs/performance.md,
    # 2026-12-07). It must stay out of the prepared ones, and give the same figure every time.
    client, _url = owner_connection
    for _ in range(8):
        html = client.get("/en/dashboard/").content.decode()
        assert "7.3 GB" in html.split('data-testid="row-data-left"')[1].split("</td>")[0]
    if db.vendor != "postgresql":
        return
    with db.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [statement for (statement,) in cursor.fetchall()]
    assert any('FROM "django_session"' in statement for statement in prepared)  # binding on: the others are
    assert not [s for s in prepared if 'FROM "usage_bucket"' in s and '"usage_billingcycle"."ends_at" > $' in s]
