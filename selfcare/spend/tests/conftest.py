"""The ordering simulator for the barring tests (as selfcare/orders/tests/conftest.py): the portal's real client
speaks HTTP to it on the simulator service; the hub is not registered, so the tests follow orders by polling."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def tmf(settings: Any, simulators_url: str) -> str:
    settings.ORDERING_REGISTER_HUB = False
    settings.SIMULATOR_TMF_ORDER_SECONDS = 5.0
    return simulators_url
