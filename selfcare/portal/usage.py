"""The usage parts of the connection page: remaining data first, the daily chart of the current cycle (drawn
server-side as SVG, with a table as its text alternative) and earlier cycles; and "data left" on the dashboard rows.

Access: the usage of a connection is read only for a connection `require_connection` returned in the acting context,
and only if that context may `Action.VIEW_USAGE`.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.template.defaultfilters import date as date_filter
from django.templatetags.l10n import unlocalize
from django.utils import dateformat
from django.utils.formats import get_format
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import get_language, gettext, gettext_noop

from selfcare.access.contexts import Action, Context, ContextKind
from selfcare.access.policy import connections_in, mandate_company, may
from selfcare.customers.models import Connection
from selfcare.formats.dates import on_day
from selfcare.identity.models import DigitalIdentity
from selfcare.mandates.models import Mandate, MandateStatus
from selfcare.queries import MARK_IDS, Prepared
from selfcare.usage.formatting import format_quantity, format_volume
from selfcare.usage.selectors import (
    DataSummary,
    DayUse,
    UsageSummary,
    daily_data_use,
    data_left,
    data_summary,
    earlier_cycles,
    remaining_summary,
)
from selfcare.usage.summaries import CompanyFigures, company_figures

CHART_HEIGHT = 120
BAR_WIDTH = 10
BAR_GAP = 2


@dataclass(frozen=True)
class Bar:
    use: DayUse
    x: int
    home_y: float
    home_height: float
    roaming_y: float
    roaming_height: float


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    width: int
    height: int
    peak: int

    @property
    def has_use(self) -> bool:
        return self.peak > 0

    @property
    def scale(self) -> list[int]:
        """The values of the vertical axis, top to bottom: the busiest day, half of it, nothing."""
        return [self.peak, self.peak // 2, 0]

    @property
    def days(self) -> list[DayUse]:
        """The days named under the horizontal axis: the first, the middle and the last of the chart."""
        uses = [bar.use for bar in self.bars]
        if len(uses) <= 2:
            return uses
        return [uses[0], uses[len(uses) // 2], uses[-1]]

    # A cycle's chart has a bar and a table row for each of up to 31 days. Each row's dozen template filters and
    # variable lookups were a third of the connection page's time (docs/performance.md); the rows are the same
    # markup written here with the same filters, once per page. Written with plain strings: `format_html` per bar
    # and a `dateformat.format` per day were still a tenth of a page's CPU (2 ms); a day's label is the same on
    # every page, so it is kept (`_day_label`), and the numbers are `unlocalize`d as the template did.

    def bars_markup(self) -> SafeString:
        """The SVG bars, each with its day and volume as its title: what the template wrote per bar."""
        month_day, language = get_format("MONTH_DAY_FORMAT"), get_language()
        parts = []
        for bar in self.bars:
            x = unlocalize(bar.x)
            roaming = (
                f'<rect class="bar-roaming" x="{x}" y="{unlocalize(bar.roaming_y)}" width="10"'
                f' height="{unlocalize(bar.roaming_height)}"></rect>'
                if bar.roaming_height
                else ""
            )
            parts.append(
                f"<g><title>{_day_label(bar.use.day, month_day, language)}: {escape(format_volume(bar.use.total))}"
                f'</title><rect class="bar-home" x="{x}" y="{unlocalize(bar.home_y)}" width="10"'
                f' height="{unlocalize(bar.home_height)}"></rect>{roaming}</g>'
            )
        return mark_safe("".join(parts))  # noqa: S308 - every text in it is escaped above; the numbers are ours

    def scale_markup(self) -> SafeString:
        """The vertical axis's values, an item each: what the template wrote per value."""
        return mark_safe("".join(f"<li>{escape(format_volume(value))}</li>" for value in self.scale))  # noqa: S308 - escaped

    def days_markup(self) -> SafeString:
        """The days named under the horizontal axis, an item each: what the template wrote per day."""
        month_day, language = get_format("MONTH_DAY_FORMAT"), get_language()
        return mark_safe(  # noqa: S308 - the labels are escaped
            "".join(f"<li>{_day_label(use.day, month_day, language)}</li>" for use in self.days)
        )

    def table_markup(self) -> SafeString:
        """The chart's text alternative, a row per day."""
        short_date, language = get_format("SHORT_DATE_FORMAT"), get_language()
        return mark_safe(  # noqa: S308 - every text in it is escaped
            "".join(
                f'<tr><th scope="row">{_day_label(bar.use.day, short_date, language)}</th>'
                f"<td>{escape(format_volume(bar.use.home))}</td><td>{escape(format_volume(bar.use.roaming))}</td></tr>"
                for bar in self.bars
            )
        )


@functools.lru_cache(maxsize=2048)
def _day_label(day: datetime.date, format_string: str, language: str | None) -> str:
    """A day in a date format, escaped, as `{{ day|date:format }}` writes it. `language` is only part of the key:
    the month names are translated into the active language, which the caller passes."""
    return str(escape(dateformat.format(day, format_string)))


def daily_chart(days: list[DayUse]) -> Chart:
    """Bars scaled to the busiest day: Latvia at the bottom, roaming stacked on top."""
    peak = max((d.total for d in days), default=0)
    scale = CHART_HEIGHT / peak if peak else 0
    bars = []
    for index, use in enumerate(days):
        home = round(use.home * scale, 1)
        roaming = round(use.roaming * scale, 1)
        bars.append(
            Bar(
                use=use,
                x=index * (BAR_WIDTH + BAR_GAP),
                home_y=CHART_HEIGHT - home,
                home_height=home,
                roaming_y=CHART_HEIGHT - home - roaming,
                roaming_height=roaming,
            )
        )
    return Chart(bars=bars, width=max(1, len(days)) * (BAR_WIDTH + BAR_GAP), height=CHART_HEIGHT, peak=peak)


def _sentence(message: str, **values: str) -> SafeString:
    """What `{% blocktranslate with … %}` renders: the message translated (`message` is its msgid, marked with
    gettext_noop where it is written so that makemessages finds it), each value escaped as the template escaped it.
    A translation that does not fit its values falls back to the msgid, as the tag does."""
    escaped = {name: conditional_escape(value) for name, value in values.items()}
    try:
        return mark_safe(gettext(message) % escaped)  # noqa: S308 - the values are escaped, the catalogue is ours
    except (KeyError, ValueError):
        return mark_safe(message % escaped)  # noqa: S308 - as above


def usage_sentences(summary: UsageSummary) -> dict[str, Any]:
    """The usage card's sentences, written once here with the msgids and filters the card's `{% blocktranslate %}`s
    had (a dozen of them were a sixth of the connection page's template; docs/performance.md). Only the sentences
    the card shows are made; the template keeps its conditions."""
    data, eu_data = summary.data, summary.eu_data
    said: dict[str, Any] = {}
    if data.is_unlimited:
        said["fair_use"] = _sentence(
            gettext_noop("%(used)s used in this cycle; fair use %(cap)s."),
            used=format_volume(data.used),
            cap=format_volume(data.fair_use_cap),
        )
        said["eu"] = _sentence(
            gettext_noop("In the EU you can use %(left)s of it this cycle (up to %(total)s a cycle)."),
            left=format_volume(eu_data.remaining),
            total=format_volume(eu_data.allowance),
        )
    else:
        said["data_left"] = _sentence(
            gettext_noop("%(left)s of %(total)s left"),
            left=format_volume(data.remaining),
            total=format_volume(data.allowance),
        )
        said["eu"] = _sentence(
            gettext_noop("Of this, up to %(usable)s can be used in the EU (at most %(total)s a cycle)."),
            usable=format_volume(summary.eu_usable),
            total=format_volume(eu_data.allowance),
        )
    if eu_data.used:
        said["eu_used"] = _sentence(gettext_noop("Used in the EU so far: %(used)s."), used=format_volume(eu_data.used))
    said["renews"] = _sentence(gettext_noop("Renews on %(day)s."), day=on_day(summary.renews_on))
    said["as_of"] = _sentence(
        gettext_noop("Figures as of %(moment)s."),
        moment=date_filter(localtime(summary.as_of), "SHORT_DATETIME_FORMAT"),
    )
    if data.out_of_bucket:
        said["beyond"] = _sentence(
            gettext_noop("Used beyond the allowance: %(extra)s."), extra=format_volume(data.out_of_bucket)
        )
    for name, figure, unit in (("voice", summary.voice, "second"), ("sms", summary.sms, "message")):
        if not figure.is_unlimited:
            said[name] = _sentence(
                gettext_noop("%(left)s of %(total)s left"),
                left=format_quantity(figure.remaining, unit),
                total=format_quantity(figure.allowance, unit),
            )
    said["gifts"] = [
        (
            gift,
            _sentence(
                gettext_noop("%(left)s of %(total)s left, until %(day)s"),
                left=format_quantity(gift.remaining, gift.unit),
                total=format_quantity(gift.allowance, gift.unit),
                day=date_filter(
                    localtime(gift.valid_until - datetime.timedelta(seconds=1))
                    if gift.valid_until is not None
                    else None,
                    "SHORT_DATE_FORMAT",
                ),
            ),
        )
        for gift in summary.gifts
    ]
    return said


def usage_context(acting: Context, connection: Connection) -> dict[str, Any] | None:
    """What the connection page shows of usage, or None when this context may not see the connection's usage.

    `connection` must come from `require_connection` for this person in this context (the page's own check):
    which connections a context covers does not depend on the action, so the right to view usage is all that is
    left to decide, and the connection is not looked up a second time.
    """
    if not may(acting, Action.VIEW_USAGE):
        return None
    summary = remaining_summary(connection)
    return {
        "summary": summary,
        "said": usage_sentences(summary),
        "chart": daily_chart(daily_data_use(connection, summary)),
        "earlier": earlier_cycles(connection, summary),
    }


def attach_data_left(acting: Context, connections: list[Connection]) -> None:
    """Set `data_left` (a Figure) on each connection of a list the person may see usage of; one query in all."""
    if not connections or not may(acting, Action.VIEW_USAGE):
        return
    figures = data_left(connections)
    for connection in connections:
        connection.data_left = figures.get(connection.pk)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ContextSummary:
    """A context on the dashboard in a few figures: data (when the context may see usage) and what waits for the
    person (powers of attorney not yet in force, when the context may see them)."""

    data: DataSummary | None
    pending_mandates: int


def kept_company_figures(contexts: list[Context]) -> dict[str, CompanyFigures]:
    """The kept figures (connection count, data) of the contexts that cover a whole company, by context key: one
    query while they are fresh (selfcare.usage.summaries)."""
    whole = [c for c in contexts if _company_wide(c)]
    figures = company_figures([c.company_id for c in whole if c.company_id is not None])
    return {c.key: figures[c.company_id] for c in whole if c.company_id is not None}


# Compiled once per number of companies (selfcare.queries.Prepared): on every dashboard with a company.
_PENDING_MANDATES = Prepared(
    Mandate,
    lambda company_ids: (
        Mandate.objects.filter(company_id__in=company_ids, status__in=(MandateStatus.DRAFT, MandateStatus.SUBMITTED))
        .order_by()
        .values_list("company_id")
        .annotate(Count("pk"))
    ),
    company_ids=MARK_IDS,
)


def context_summaries(
    identity: DigitalIdentity, contexts: list[Context], kept: dict[str, CompanyFigures]
) -> dict[str, ContextSummary]:
    """The figures of the contexts too big for rows on the dashboard, by context key. A whole company's data comes
    from `kept` (kept_company_figures); a company seen through selected connections, or a person's own numbers,
    are summed here (a fixed number of queries each)."""
    # Powers of attorney not yet in force, counted for every context's company in one query (ten companies were
    # ten counts): each context sees its own company's count only if access lets it see the mandates at all.
    mandate_companies = {context.key: mandate_company(context) for context in contexts}
    wanted = {company_id for company_id in mandate_companies.values() if company_id is not None}
    pending: dict[int, int] = {}
    if wanted:
        pending = dict(_PENDING_MANDATES.rows(company_ids=sorted(wanted)))
    summaries = {}
    for context in contexts:
        data: DataSummary | None = None
        if may(context, Action.VIEW_USAGE):
            data = kept[context.key].data if context.key in kept else data_summary(connections_in(identity, context))
        company_id = mandate_companies[context.key]
        count = 0 if company_id is None else pending.get(company_id, 0)
        summaries[context.key] = ContextSummary(data=data, pending_mandates=count)
    return summaries


def _company_wide(context: Context) -> bool:
    """A company context covering all the company's connections: the set a kept company summary sums."""
    return context.kind == ContextKind.COMPANY and context.company_id is not None and context.selected_ids is None
