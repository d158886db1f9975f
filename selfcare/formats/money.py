"""Money for the reader: the amount in their language's number format, with the currency where they put it.

format_money(Decimal("1234.5"))  →  lv "1 234,50 €", ru "1 234,50 €", en "€1,234.50"
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats
from django.utils.translation import get_language

SYMBOLS = {"EUR": "€"}


def format_money(value: Decimal, currency: str = "EUR", *, places: int = 2) -> str:
    amount = formats.number_format(
        value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP), places, use_l10n=True, force_grouping=True
    )
    symbol = SYMBOLS.get(currency, currency)
    if (get_language() or "lv").startswith("en"):
        return f"{symbol}{amount}" if symbol != currency else f"{amount} {currency}"
    return f"{amount}\u00a0{symbol}"


def format_price(value: Decimal, currency: str = "EUR") -> str:
    """A unit price, which may have fractions of a cent: 0.045 → "0,045 €", 0.5 → "0,50 €" (2 to 4 decimals)."""
    exponent = value.normalize().as_tuple().exponent
    places = min(4, max(2, -exponent if isinstance(exponent, int) else 2))
    return format_money(value, currency, places=places)
