"""The simulators' own in-process tests see their URLs beside the portal's (selfcare/simulators/tests/urls.py):
a test asks the portal for a signed request and hands it to a simulator with one client."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _simulators_urlconf(settings: Any) -> None:
    settings.ROOT_URLCONF = "selfcare.simulators.tests.urls"
