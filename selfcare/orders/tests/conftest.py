"""The ordering simulator answered in-process: the portal's real client speaks HTTP to the simulator's real views
through an httpx WSGI transport, so tests need no server and see the same database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from django.core.handlers.wsgi import WSGIHandler

from selfcare.orders import client

SIMULATOR = "http://testserver/simulators/tmf/tmf-api"


@pytest.fixture
def tmf(settings: Any) -> Iterator[None]:
    settings.ORDERING_API_URL = f"{SIMULATOR}/productOrderingManagement/v4/"
    settings.CATALOGUE_API_URL = f"{SIMULATOR}/productCatalogManagement/v4/"
    settings.ORDERING_REGISTER_HUB = False
    settings.SIMULATOR_TMF_ORDER_SECONDS = 5.0
    client.TRANSPORT = httpx.WSGITransport(app=WSGIHandler())
    yield
    client.TRANSPORT = None
