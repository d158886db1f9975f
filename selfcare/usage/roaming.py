"""EU roaming data (Roam Like at Home): the allowance of a plan in a given year.

Reg. (EU) 2022/612 and Impl. Reg. 2016/2286 Art. 4: for an open or unlimited data bundle the EU allowance is at
least 2 × (monthly price excl. VAT ÷ the regulated wholesale cap per GB); a capped bundle gets its whole domestic
volume in the EU unless that is more than the same formula gives. The caps per year are configuration
(`USAGE_RLAH_CAPS_EUR_PER_GB`) because DOMAIN.md could not verify them against the regulation's text; the last year
listed applies to later years. A plan's own `eu_data_bytes` wins when the operator gives more than the floor.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from selfcare.customers.models import GB, TariffPlan


def wholesale_caps() -> dict[int, Decimal]:
    """{year: EUR per GB} from the setting "2025:1.30,2026:1.10"."""
    caps: dict[int, Decimal] = {}
    try:
        for item in settings.USAGE_RLAH_CAPS_EUR_PER_GB.split(","):
            year, cap = item.split(":")
            caps[int(year)] = Decimal(cap)
    except (ValueError, ArithmeticError) as error:
        raise ImproperlyConfigured("USAGE_RLAH_CAPS_EUR_PER_GB is a list like 2025:1.30,2026:1.10") from error
    if not caps or any(cap <= 0 for cap in caps.values()):
        raise ImproperlyConfigured("USAGE_RLAH_CAPS_EUR_PER_GB needs at least one positive cap")
    return caps


def wholesale_cap(year: int) -> Decimal:
    caps = wholesale_caps()
    known = [y for y in caps if y <= year]
    return caps[max(known)] if known else caps[min(caps)]


def fair_use_floor(plan: TariffPlan, year: int) -> int:
    """The least EU data the regulation allows for this plan in this year, in bytes."""
    formula = int((2 * plan.monthly_fee / wholesale_cap(year) * GB).to_integral_value(rounding=ROUND_DOWN))
    if plan.data_bytes is None:
        return formula
    return min(plan.data_bytes, formula)


def eu_data_allowance(plan: TariffPlan, year: int) -> int:
    return max(plan.eu_data_bytes or 0, fair_use_floor(plan, year))
