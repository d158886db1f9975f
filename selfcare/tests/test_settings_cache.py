"""An outside system's configuration follows the settings of the moment (selfcare/settings_cache.py)."""

from __future__ import annotations

from django.test import override_settings

from selfcare.billing.config import billing_config
from selfcare.identity.methods.smartid.config import smartid_config
from selfcare.settings_cache import settings_cached


def test_a_provider_configuration_is_built_again_when_a_setting_changes() -> None:
    before = billing_config()
    with override_settings(BILLING_API_URL="https://bss.example/tmf-api/customerBillManagement/v4"):
        assert billing_config().api_url == "https://bss.example/tmf-api/customerBillManagement/v4/"
    assert billing_config() == before


def test_a_configuration_is_kept_while_the_settings_stay_the_same() -> None:
    assert smartid_config() is smartid_config()


def test_a_change_of_any_setting_forgets_every_kept_value() -> None:
    builds: list[int] = []

    @settings_cached
    def counted() -> int:
        builds.append(1)
        return len(builds)

    assert (counted(), counted()) == (1, 1)
    with override_settings(SOME_SETTING_NO_CONFIGURATION_READS=True):
        assert counted() == 2
    assert counted() == 3
