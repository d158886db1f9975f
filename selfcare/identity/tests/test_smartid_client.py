"""The Smart-ID client's transport rules, against the simulator over HTTP."""

from __future__ import annotations

import dataclasses

import pytest

from selfcare.identifiers import PersonalCode
from selfcare.identity.methods.base import Unavailable
from selfcare.identity.methods.smartid.client import SmartIdClient
from selfcare.identity.methods.smartid.config import smartid_config

pytestmark = pytest.mark.django_db(transaction=True)


def test_with_tls_pins_configured_an_answer_from_an_unpinned_server_is_refused(eid_simulators: str) -> None:
    pinned = dataclasses.replace(smartid_config(), tls_pins=("ab" * 32,))
    with pytest.raises(Unavailable) as error:
        SmartIdClient(pinned).start_notification(PersonalCode.parse("150385-12346"), display_text="x")
    assert error.value.reason == "tls_pin_mismatch"


def test_without_pins_the_same_server_is_used(eid_simulators: str) -> None:
    pending = SmartIdClient(smartid_config()).start_notification(PersonalCode.parse("150385-12346"), display_text="x")
    assert pending.session_id
    assert len(pending.verification_code) == 4


def test_production_configuration_refuses_plain_http_and_the_demo_relying_party(settings: object) -> None:
    from django.core.exceptions import ImproperlyConfigured

    settings.SELFCARE_DEMO = False  # type: ignore[attr-defined]
    settings.SMARTID_API_URL = "http://rp-api.example.lv/v3/"  # type: ignore[attr-defined]
    settings.SMARTID_TRUSTED_CA = ""  # type: ignore[attr-defined]
    with pytest.raises(ImproperlyConfigured) as error:
        smartid_config()
    text = str(error.value)
    assert "https://" in text
    assert "SMARTID_TRUSTED_CA" in text
    assert "SMARTID_RP_UUID" in text
