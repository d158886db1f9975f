"""The Smart-ID pages share one client (one connection pool to SK) per process and configuration."""

from __future__ import annotations

from typing import Any

import pytest

from selfcare.portal.login import smartid

pytestmark = pytest.mark.django_db


def test_the_steps_of_logins_share_one_client_until_the_configuration_changes(settings: Any) -> None:
    first = smartid._client()
    assert smartid._client() is first
    settings.SMARTID_RP_NAME = "Another name"
    changed = smartid._client()
    assert changed is not first
    assert changed.config.rp_name == "Another name"


def test_a_forked_process_makes_its_own_client(monkeypatch: pytest.MonkeyPatch) -> None:
    parent = smartid._client()
    monkeypatch.setattr("selfcare.portal.login.smartid.os.getpid", lambda: -1)
    assert smartid._client() is not parent
