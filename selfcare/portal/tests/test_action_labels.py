"""Every audit action a person can see on My security or Company security is named in words, not by its tag."""

from __future__ import annotations

import re
from pathlib import Path

from selfcare.portal.security import ACTIONS, action_label

PACKAGE = Path(__file__).resolve().parents[2]
LITERAL_TAG = re.compile(r"""record\(\s*\w+,\s*"([a-z_-]+:[a-z_:-]+)\"""")
MANDATE_STEP = re.compile(r"""action="([a-z_]+)\"""")


def _recorded_tags() -> set[str]:
    tags: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        if "tests" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        tags.update(LITERAL_TAG.findall(text))
        if path.parent.name == "mandates":
            tags.update(f"mandates:mandate:{step}" for step in MANDATE_STEP.findall(text))
    return tags


def test_the_source_records_the_actions_this_test_looks_for() -> None:
    assert {"binding:bound", "offers:claim:create", "mandates:mandate:submitted"} <= _recorded_tags()


def test_every_recorded_action_has_a_name_for_people() -> None:
    unnamed = sorted(tag for tag in _recorded_tags() if tag not in ACTIONS)
    assert unnamed == []
    assert action_label("mandates:mandate:document_added") != "mandates:mandate:document_added"
