"""The one place volumes, minutes and messages become text for people.

Bytes are shown in decimal (GB = 1000³) or binary (GiB = 1024³) units as `USAGE_VOLUME_UNIT` says, rounded **down**
to `USAGE_VOLUME_STEP_MB` megabytes (never promising data that is not there), in the reader's number format.
Below one gigabyte the figure is in megabytes (whole ones). Every volume on every page goes through `format_volume`.
"""

from __future__ import annotations

import functools
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext, ngettext

from selfcare.usage.models import Unit


def _base() -> int:
    return 1024 if settings.USAGE_VOLUME_UNIT == "binary" else 1000


def _names() -> tuple[str, str]:
    return ("MiB", "GiB") if settings.USAGE_VOLUME_UNIT == "binary" else ("MB", "GB")


def round_volume(value: int) -> int:
    """Bytes rounded down to the configured step."""
    step = settings.USAGE_VOLUME_STEP_MB * _base() ** 2
    return value - value % step if value >= step else (value - value % _base() ** 2)


def format_volume(value: int | None) -> str:
    """5 000 000 000 → "5 GB", 7 349 000 000 → "7,3 GB" (lv), None → "Unlimited"."""
    if value is None:
        return gettext("Unlimited")
    return _volume_text(round_volume(max(0, value)), get_language())


@functools.lru_cache(maxsize=4096)
def _volume_text(rounded: int, language: str | None) -> str:
    """A rounded volume in the active language's number format (`language`, the active one, is only the key).
    `number_format` looks up three formats and builds the figure each time: a connection page writes some seventy
    volumes (its chart's days), most of them the same on the next page, so the texts are kept (bounded; forgotten
    when a setting they depend on changes, `_forget_volumes`)."""
    mb_name, gb_name = _names()
    base = _base()
    if rounded < base**3:
        return f"{number_format(rounded // base**2, decimal_pos=0, use_l10n=True)} {mb_name}"
    gigabytes = (Decimal(rounded) / Decimal(base**3)).quantize(Decimal("0.001"), rounding=ROUND_DOWN).normalize()
    places = max(0, -gigabytes.as_tuple().exponent)  # type: ignore[operator]
    return f"{number_format(gigabytes, decimal_pos=places, use_l10n=True)} {gb_name}"


@receiver(setting_changed)
def _forget_volumes(*, setting: str, **kwargs: object) -> None:
    """A test that changes the unit or a number format gets the volumes written anew."""
    if setting.startswith("USAGE_VOLUME_") or setting in _NUMBER_SETTINGS:
        _volume_text.cache_clear()


_NUMBER_SETTINGS = frozenset(
    ("USE_THOUSAND_SEPARATOR", "THOUSAND_SEPARATOR", "DECIMAL_SEPARATOR", "NUMBER_GROUPING", "FORMAT_MODULE_PATH")
)


def format_quantity(value: int | None, unit: str) -> str:
    """A bucket figure in its unit: bytes as a volume, seconds as whole minutes (rounded down), messages counted."""
    if unit == Unit.BYTE:
        return format_volume(value)
    if value is None:
        return gettext("Unlimited")
    if unit == Unit.SECOND:
        minutes = max(0, value) // 60
        return ngettext("%(count)s min", "%(count)s min", minutes) % {"count": number_format(minutes)}
    return ngettext("%(count)s SMS", "%(count)s SMS", value) % {"count": number_format(value)}
