"""Calls to outside systems survive a server's keep-alive: the pool forgets an idle connection before the server
closes it (selfcare/outbound.py), so a login does not fail because a connection was closed under it."""

from __future__ import annotations

import time
from typing import Any

import pytest

from selfcare.identity.methods.base import Unavailable
from selfcare.identity.methods.smartid import protocol
from selfcare.identity.methods.smartid.client import Pending, SmartIdClient
from selfcare.identity.methods.smartid.config import SmartIdConfig
from selfcare.identity.methods.smartid.verification import SmartIdPolicy
from selfcare.tests.faults import keepalive_closing_server


def _client(url: str, policy: SmartIdPolicy) -> SmartIdClient:
    config = SmartIdConfig(
        api_url=f"{url}/v3/",
        rp_uuid="00000000-0000-4000-8000-000000000000",
        rp_name="Tele2 Mans",
        certificate_level="QUALIFIED",
        hash_algorithm="SHA-512",
        scheme_name="smart-id",
        connect_timeout=2,
        poll_timeout_ms=1000,
        session_timeout_s=60,
        tls_pins=(),
        policy=policy,
    )
    return SmartIdClient(config)


def _pending() -> Pending:
    return Pending("notification", "a-session", protocol.new_rp_challenge(), "e30=", time.time())


def test_a_smartid_poll_after_a_pause_goes_on_a_new_connection_not_one_the_provider_is_closing(
    settings: Any, policy: SmartIdPolicy
) -> None:
    settings.OUTBOUND_KEEPALIVE_SECONDS = 0.05
    with keepalive_closing_server(b'{"state": "RUNNING"}') as (url, connections):
        client = _client(url, policy)
        assert client.poll(_pending()) is None
        time.sleep(0.2)  # idle longer than the pool keeps a connection
        assert client.poll(_pending()) is None
    assert len(connections) == 2


def test_a_pool_that_outlives_the_servers_keepalive_loses_the_request(settings: Any, policy: SmartIdPolicy) -> None:
    """The fault the setting prevents, shown on the same server: the reused connection is closed under the poll."""
    settings.OUTBOUND_KEEPALIVE_SECONDS = 5.0  # httpx's own default
    with keepalive_closing_server(b'{"state": "RUNNING"}') as (url, connections):
        client = _client(url, policy)
        assert client.poll(_pending()) is None
        time.sleep(0.2)
        with pytest.raises(Unavailable) as failure:
            client.poll(_pending())
    assert failure.value.reason == "provider_unreachable"
    assert len(connections) == 1


def test_the_default_pool_forgets_an_idle_connection_before_gunicorns_default_keepalive_closes_it() -> None:
    from django.conf import settings

    assert settings.OUTBOUND_KEEPALIVE_SECONDS < 2.0  # gunicorn's default keep-alive, the simulators' server
