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
