"""Dates inside sentences, in the case the sentence needs: "Atjaunojas 1. janvārī", "Обновится 1 января",
"Renews on 1 January".

Django's formats give the month's name as it stands alone (`F`: "janvāris", "Январь"); `E` gives its alternative
form, which Django's Russian catalogue has in the genitive ("января") and its Latvian one not at all. The Latvian
alternative forms below are the locative ("janvārī"), the case of "on a day" in Latvian; they live in our catalogue,
which comes before Django's. Which format a language uses in a sentence is itself translated, so that a language
is added in its catalogue, not here.
"""

from __future__ import annotations

import datetime

from django.utils import dateformat
from django.utils.translation import pgettext, pgettext_lazy

# Kept in our catalogues by being here (makemessages drops what no source names): lv has them in the locative.
MONTHS_ALT = (
    pgettext_lazy("alt. month", "January"),
    pgettext_lazy("alt. month", "February"),
    pgettext_lazy("alt. month", "March"),
    pgettext_lazy("alt. month", "April"),
    pgettext_lazy("alt. month", "May"),
    pgettext_lazy("alt. month", "June"),
    pgettext_lazy("alt. month", "July"),
    pgettext_lazy("alt. month", "August"),
    pgettext_lazy("alt. month", "September"),
    pgettext_lazy("alt. month", "October"),
    pgettext_lazy("alt. month", "November"),
    pgettext_lazy("alt. month", "December"),
)


def on_day(value: datetime.date) -> str:
    """The day and month after "on" in a sentence: "1 January", lv "1. janvārī", ru "1 января"."""
    # Translators: a PHP-style date format (Django's "date" filter) for a day of the month inside a sentence, as
    # in "Renews on 1 January". "E" is the month's name in the case a sentence needs (lv: locative, ru: genitive).
    return dateformat.format(value, pgettext("date format", "j F"))


def on_date(value: datetime.date) -> str:
    """A full date after "on" in a sentence: "1 January 2027", lv "2027. gada 1. janvārī", ru "1 января 2027 г."."""
    # Translators: as above, with the year, as in "Your rights ended on 1 January 2027".
    return dateformat.format(value, pgettext("date format", "j F Y"))
