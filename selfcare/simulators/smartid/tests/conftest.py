"""Shared fixtures: one test PKI per test session (RSA keys are slow), a clean simulator per test, and the
relying party's side of a session — what the portal would send, keep, and verify."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from selfcare.identity.methods.base import VerifiedIdentity
from selfcare.identity.methods.smartid import protocol
from selfcare.identity.methods.smartid.verification import SmartIdPolicy, verify_authentication
from selfcare.simulators.pki.testca import TestCA
from selfcare.simulators.smartid import conf, pki

API = "/simulators/smartid/v3/"
ANNA = "150385-12346"


@pytest.fixture
def client() -> Client:
    """The phone pages in English, whatever the default language: the assertions read English text."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture(scope="session", autouse=True)
def simulator_ca(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestCA]:
    with override_settings(SELFCARE_PKI_DIR=str(Path(tmp_path_factory.mktemp("simulator-pki")))):
        yield pki.test_ca()


@pytest.fixture(autouse=True)
def _fresh_simulator() -> None:
    cache.clear()


@pytest.fixture(scope="session")
def policy(simulator_ca: TestCA) -> SmartIdPolicy:
    return SmartIdPolicy(trust_anchors=simulator_ca.trust_anchors, intermediates=simulator_ca.intermediates)


@dataclass
class RelyingParty:
    """The portal's half of one session: the request it sent and the values it keeps to verify the answer."""

    client: Client
    policy: SmartIdPolicy
    rp_challenge: str = field(default_factory=protocol.new_rp_challenge)
    interactions_b64: str = field(
        default_factory=lambda: protocol.encode_interactions(
            [{"type": "displayTextAndPIN", "displayText60": "Pieslēgties Mans Tele2"}]
        )
    )
    initial_callback_url: str = ""
    session: dict[str, str] = field(default_factory=dict)

    def body(self, *, notification: bool, **overrides: object) -> dict[str, object]:
        body = protocol.authentication_request_body(
            rp_uuid=conf.DEMO_RP_UUID,
            rp_name=conf.DEMO_RP_NAME,
            rp_challenge=self.rp_challenge,
            certificate_level="QUALIFIED",
            interactions_b64=self.interactions_b64,
            vc_type=notification,
            initial_callback_url=self.initial_callback_url or None,
        )
        body.update(overrides)
        return body

    def start_notification(self, personal_code: str = ANNA, country: str = "LV") -> str:
        response = self.client.post(
            f"{API}authentication/notification/etsi/{protocol.etsi_identifier(personal_code, country)}",
            self.body(notification=True),
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        self.session = response.json()
        return self.session["sessionID"]

    def start_device_link(self) -> dict[str, str]:
        response = self.client.post(
            f"{API}authentication/device-link/anonymous", self.body(notification=False), content_type="application/json"
        )
        assert response.status_code == 200, response.content
        self.session = response.json()
        return self.session

    def device_link(self, link_type: protocol.DeviceLinkType, elapsed_seconds: int | None = None) -> str:
        """The link as the portal builds it (the QR callback URL is empty, as for SK's Java client)."""
        return protocol.device_link(
            device_link_base=self.session["deviceLinkBase"],
            link_type=link_type,
            elapsed_seconds=elapsed_seconds,
            session_token=self.session["sessionToken"],
            lang="eng",
            session_secret_b64=self.session["sessionSecret"],
            scheme_name=protocol.DEFAULT_SCHEME_NAME,
            rp_challenge=self.rp_challenge,
            rp_name=conf.DEMO_RP_NAME,
            brokered_rp_name="",
            interactions_b64=self.interactions_b64,
            initial_callback_url="" if link_type == "QR" else self.initial_callback_url,
        )

    def poll(self, timeout_ms: int = 0) -> dict[str, object]:
        response = self.client.get(f"{API}session/{self.session['sessionID']}", {"timeoutMs": timeout_ms})
        assert response.status_code == 200, response.content
        result: dict[str, object] = response.json()
        return result

    def verify(self, status: dict[str, object], *, expected_personal_code: str | None = None) -> VerifiedIdentity:
        return verify_authentication(
            status=status,
            rp_challenge=self.rp_challenge,
            rp_name=conf.DEMO_RP_NAME,
            interactions_b64=self.interactions_b64,
            initial_callback_url=self.initial_callback_url,
            expected_personal_code=expected_personal_code,
            offered_flow_types=("QR", "Web2App", "Notification"),
            policy=self.policy,
        )


@pytest.fixture
def rp(client: Client, policy: SmartIdPolicy) -> RelyingParty:
    return RelyingParty(client=client, policy=policy)


def end_result(status: dict[str, object]) -> object:
    result = status.get("result")
    assert isinstance(result, dict)
    return result.get("endResult")
