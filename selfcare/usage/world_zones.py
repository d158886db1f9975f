"""Roaming zones outside the EU/EEA: which zone a visited country is in, by the operator's configuration.

Operators price roaming outside the EU by zone (Tele2 Latvia and others: non-EU Europe, North America, the rest of
the world), and the lists of countries are theirs, so they are settings (`USAGE_WORLD_ZONE_1_COUNTRIES`,
`USAGE_WORLD_ZONE_2_COUNTRIES`, ISO 3166-1 alpha-2 codes). Any other country, and an event without one, is in the
last zone, the rest of the world (`Zone.WORLD`, as before zones existed). Whether a place is in the EU/EEA at all is
the mediation system's call (the event's zone `eu`); the country only picks the zone of a `world` event.
"""

from __future__ import annotations

import functools
import re

from django.conf import settings

from selfcare.usage.models import Zone

_CODE = re.compile(r"[A-Z]{2}")


def country_code(text: str) -> str | None:
    """The ISO 3166-1 alpha-2 code in `text` (either case), upper-case; None when it is not two letters A–Z."""
    code = text.strip().upper()
    return code if code.isascii() and _CODE.fullmatch(code) else None


@functools.lru_cache(maxsize=4)
def _zones(zone_1: str, zone_2: str) -> dict[str, str]:
    """{country: zone} from the two settings, which selfcare/settings.py checked at start-up (codes, no country in
    both lists)."""
    return {
        code: zone
        for zone, listed in ((Zone.WORLD_1, zone_1), (Zone.WORLD_2, zone_2))
        for code in (part.strip().upper() for part in listed.split(","))
        if code
    }


def zone_of_country(code: str | None) -> str:
    """The world zone of a visited country (an upper-case alpha-2 code, or None when the event names none)."""
    if code is None:
        return Zone.WORLD
    return _zones(settings.USAGE_WORLD_ZONE_1_COUNTRIES, settings.USAGE_WORLD_ZONE_2_COUNTRIES).get(code, Zone.WORLD)


def countries_of(zone: str) -> tuple[str, ...]:
    """The countries configured in world zone 1 or 2, sorted; empty for any other zone (the rest is "all others")."""
    found = _zones(settings.USAGE_WORLD_ZONE_1_COUNTRIES, settings.USAGE_WORLD_ZONE_2_COUNTRIES)
    return tuple(sorted(code for code, its_zone in found.items() if its_zone == zone))
