"""The ordering simulator on the simulator service (selfcare/conftest.py's live server thread, its own URLconf):
the portal's real client speaks HTTP to it at the demo's default URLs, derived from SELFCARE_SIMULATORS_URL."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def tmf(settings: Any, simulators_url: str) -> str:
    """The ordering, catalogue and inventory endpoints default to the simulator service; the hub is not registered,
    so the simulator posts no events here: tests hand the callback its events themselves."""
    settings.ORDERING_REGISTER_HUB = False
    settings.SIMULATOR_TMF_ORDER_SECONDS = 5.0
    return simulators_url
