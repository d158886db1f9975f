"""The whole app flow against the running server, done by the reference client (Authlib + joserfc, independent
of the provider's library) with a real browser through the Smart-ID simulator: it must see what the dashboard
shows."""

from __future__ import annotations

from typing import Any

import pytest

from selfcare.access.overview import overview
from selfcare.channels.appdemo import SHOWN, log_in_and_list, smartid_robot
from selfcare.channels.oidc.claims import ACR_HIGH, pairwise_subject
from selfcare.demo.loader import load_demo
from selfcare.identity.models import NationalIdentifier

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_reference_client_logs_anna_in_with_smart_id_and_lists_the_connections_the_dashboard_shows(
    browser: Any, eid_simulators: str, simulators_url: str
) -> None:
    load_demo()
    robot = smartid_robot(eid_simulators, "150385-12346", browser, simulators_url=simulators_url)
    result = log_in_and_list(eid_simulators, robot, timeout=60)

    anna = NationalIdentifier.objects.get(code="15038512346").identity
    claims = result.id_token_claims
    assert claims["sub"] == pairwise_subject(anna.pk, "tele2-app-demo")
    assert claims["acr"] == ACR_HIGH
    assert claims["amr"][0] == "smartid"
    assert claims["name"] == "Anna Bērziņa"

    dashboard = overview(anna)
    assert [c["id"] for c in result.me["contexts"]] == [group.context.key for group in dashboard]
    assert result.totals == {group.context.key: group.count for group in dashboard}
    for group in dashboard:
        listed = result.connections[group.context.key]
        assert len(listed) == group.count
        assert [row["msisdn"] for row in listed[: len(group.connections)]] == [c.msisdn for c in group.connections]
    # Each connection it prints comes with its data left, read through the usage-consumption operation.
    shown = [row["href"] for group in dashboard for row in result.connections[group.context.key][:SHOWN]]
    assert sorted(result.data_left) == sorted(shown)
    assert all(left.endswith(("GB", "MB", "Unlimited")) for left in result.data_left.values())
