"""Why an order failed is said in the reader's language: known operator codes and the portal's own reasons in our
words, an unknown code as the operator's own text, marked as theirs."""

from __future__ import annotations

from typing import Any

from django.utils import translation

from selfcare.orders import reasons
from selfcare.orders.models import Order


def _shown(code: str, text: str, language: str) -> str:
    with translation.override(language):
        return Order(reason_code=code, reason=text).reason_shown


def test_a_known_operator_code_is_said_in_each_language() -> None:
    english = _shown("CONTRACT_CHANGE_PENDING", "Vertrag in Bearbeitung", "en")
    latvian = _shown("CONTRACT_CHANGE_PENDING", "Vertrag in Bearbeitung", "lv")
    russian = _shown("CONTRACT_CHANGE_PENDING", "Vertrag in Bearbeitung", "ru")
    assert english.startswith("The number has another change in progress")
    assert latvian != english
    assert russian != english
    assert len({english, latvian, russian}) == 3
    assert "Vertrag" not in latvian


def test_the_portals_own_reason_follows_the_reader_not_the_moment_it_was_stored() -> None:
    assert _shown(reasons.UNAVAILABLE, "", "en").startswith("The operator's system did not answer")
    assert _shown(reasons.UNAVAILABLE, "", "lv") != _shown(reasons.UNAVAILABLE, "", "en")


def test_an_unknown_code_shows_the_operators_text_as_theirs(settings: Any) -> None:
    assert _shown("X-42", "Porting lock active", "en") == "The operator's system says: Porting lock active"
    settings.ORDERING_REASON_CODES = {"X-42": "not-eligible"}  # the operator's own codes, mapped in configuration
    assert _shown("X-42", "Porting lock active", "en").startswith("The number cannot have this change")
    assert _shown("", "", "en") == ""
