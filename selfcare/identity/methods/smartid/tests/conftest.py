"""Shared fixtures: one test PKI per test session (generating keys is slow) and a login in progress."""

from __future__ import annotations

import copy
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from selfcare.identity.methods.base import VerifiedIdentity
from selfcare.identity.methods.smartid import protocol
from selfcare.identity.methods.smartid.verification import SmartIdPolicy, verify_authentication
from selfcare.simulators.pki.smartid_signer import completed_session_status
from selfcare.simulators.pki.testca import Issued, TestCA

PERSONAL_CODE = "010117-21234"


@pytest.fixture(scope="session")
def ca(tmp_path_factory: pytest.TempPathFactory) -> TestCA:
    return TestCA(Path(tmp_path_factory.mktemp("smartid-pki")))


@pytest.fixture(scope="session")
def person(ca: TestCA) -> Issued:
    return ca.smartid_person(PERSONAL_CODE, "Forename", "Surname")


@pytest.fixture(scope="session")
def policy(ca: TestCA) -> SmartIdPolicy:
    return SmartIdPolicy(trust_anchors=ca.trust_anchors, intermediates=ca.intermediates)


@dataclass
class Login:
    """The values the relying party keeps for one Smart-ID session, and the means to answer and verify it."""

    policy: SmartIdPolicy
    person: Issued
    rp_name: str = "Tele2 Mans"
    rp_challenge: str = field(default_factory=protocol.new_rp_challenge)
    interactions_b64: str = field(
        default_factory=lambda: protocol.encode_interactions(
            [{"type": "displayTextAndPIN", "displayText60": "Pieslēgties Tele2"}]
        )
    )
    offered_flow_types: Collection[str] = ("QR", "Web2App")
    initial_callback_url: str = ""

    def answer(self, *, signer: Issued | None = None, **overrides: object) -> dict[str, object]:
        """A completed OK status as Smart-ID would return it for this session."""
        values: dict[str, object] = {
            "certificate": self.person.certificate,
            "private_key": (signer or self.person).private_key,
            "rp_challenge": self.rp_challenge,
            "rp_name": self.rp_name,
            "interactions_b64": self.interactions_b64,
            "initial_callback_url": self.initial_callback_url,
            "scheme_name": self.policy.scheme_name,
        }
        values.update(overrides)
        return completed_session_status(**values)  # type: ignore[arg-type]

    def verify(
        self,
        status: Mapping[str, object],
        *,
        expected_personal_code: str | None = None,
        policy: SmartIdPolicy | None = None,
        **overrides: object,
    ) -> VerifiedIdentity:
        values: dict[str, object] = {
            "rp_challenge": self.rp_challenge,
            "rp_name": self.rp_name,
            "interactions_b64": self.interactions_b64,
            "initial_callback_url": self.initial_callback_url,
            "offered_flow_types": self.offered_flow_types,
        }
        values.update(overrides)
        return verify_authentication(
            status=status,
            expected_personal_code=expected_personal_code,
            policy=policy or self.policy,
            **values,  # type: ignore[arg-type]
        )


@pytest.fixture
def login(policy: SmartIdPolicy, person: Issued) -> Login:
    return Login(policy=policy, person=person)


def altered(status: Mapping[str, object], dotted: str, value: object) -> dict[str, object]:
    """A deep copy of ``status`` with the field at ``dotted`` replaced, or removed if ``value`` is DELETE."""
    result = copy.deepcopy(dict(status))
    *parents, last = dotted.split(".")
    node: dict[str, object] = result
    for key in parents:
        child = node[key]
        assert isinstance(child, dict)
        node = child
    if value is DELETE:
        del node[last]
    else:
        node[last] = value
    return result


DELETE = object()

Verify = Callable[..., VerifiedIdentity]
