"""Outside the demo the ordering settings must be the operator's: the demo's public secret, token and simulator
URLs are refused, as an unset value is."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from selfcare.orders.config import DEMO_CALLBACK_SECRET, deploy_check, ordering_config


def test_the_demo_points_at_the_simulator_service_and_back_at_the_portal_by_default(settings: Any) -> None:
    settings.SELFCARE_SIMULATORS_URL = "http://127.0.0.1:8123"
    settings.SELFCARE_PORTAL_URL = "http://127.0.0.1:8122"
    config = ordering_config()
    assert config.ordering_url == "http://127.0.0.1:8123/simulators/tmf/tmf-api/productOrderingManagement/v4/"
    assert config.catalogue_url == "http://127.0.0.1:8123/simulators/tmf/tmf-api/productCatalogManagement/v4/"
    assert config.inventory_url == "http://127.0.0.1:8123/simulators/tmf/tmf-api/resourceInventoryManagement/v4/"
    assert config.callback_url == "http://127.0.0.1:8122/orders/callback/"


def test_production_refuses_unset_and_demo_values(settings: Any) -> None:
    settings.SELFCARE_DEMO = False
    with pytest.raises(ImproperlyConfigured, match="ORDERING_API_URL is not set"):
        ordering_config()
    settings.ORDERING_API_URL = "http://127.0.0.1:8000/simulators/tmf/tmf-api/productOrderingManagement/v4/"
    settings.CATALOGUE_API_URL = "https://oss.example/tmf-api/productCatalogManagement/v4/"
    settings.ORDERING_CALLBACK_SECRET = DEMO_CALLBACK_SECRET
    with pytest.raises(ImproperlyConfigured) as refused:
        ordering_config()
    text = str(refused.value)
    assert "https://" in text
    assert "ORDERING_CALLBACK_SECRET" in text
    assert "ORDERING_API_TOKEN" in text
    assert "simulator" in text
    assert [e.id for e in deploy_check()] == ["selfcare.orders.E001"]


def test_production_accepts_the_operators_own_values(settings: Any) -> None:
    settings.SELFCARE_DEMO = False
    settings.ORDERING_API_URL = "https://oss.example/tmf-api/productOrderingManagement/v4"
    settings.CATALOGUE_API_URL = "https://oss.example/tmf-api/productCatalogManagement/v4/"
    settings.SIM_INVENTORY_API_URL = "https://oss.example/tmf-api/resourceInventoryManagement/v4/"
    settings.ORDERING_API_TOKEN = "operator-issued-token"
    settings.ORDERING_CALLBACK_URL = "https://mans.example/orders/callback/"
    settings.ORDERING_CALLBACK_SECRET = "x" * 40
    assert ordering_config().ordering_url.endswith("/v4/")
    assert deploy_check() == []
