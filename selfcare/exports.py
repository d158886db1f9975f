"""What the portal and the back office write into CSV exports people open in spreadsheets."""

from __future__ import annotations

# A cell starting with one of these is run as a formula by spreadsheets (OWASP "CSV injection"); names, codes and
# reasons in our exports come from people.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The value as a CSV cell no spreadsheet will run as a formula; None is an empty cell."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
