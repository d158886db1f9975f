"""The demo offers' banners are drawn with a font that has every character they show."""

from __future__ import annotations

from selfcare.demo.offers import OFFERS, _banner

MISSING = "\U0010fffd"  # a private-use character no font has: drawn as the "missing glyph" box


def test_every_banner_character_is_drawn_not_replaced_by_the_missing_glyph_box() -> None:
    for demo in OFFERS:
        text, colour = demo.banner
        for character in set(text) - {" "}:
            assert _banner(character, colour) != _banner(MISSING, colour), (text, character)
