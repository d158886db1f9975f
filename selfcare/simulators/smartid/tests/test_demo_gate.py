"""Outside demo mode the simulator does not exist: not mounted, and its views refuse even if mounted."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from selfcare.simulators.smartid.tests.conftest import API, RelyingParty
from selfcare.tests.subprocess_django import run_python

RESOLVE_SIMULATOR = (
    "import django; django.setup(); from django.urls import resolve, Resolver404\n"
    "try:\n    resolve('/simulators/smartid/phone/'); print('mounted')\n"
    "except Resolver404:\n    print('absent')"
)


@pytest.mark.parametrize(("demo", "expected"), [("false", "absent"), ("true", "mounted")])
def test_the_simulator_urls_are_mounted_only_in_demo_mode(demo: str, expected: str) -> None:
    result = run_python(RESOLVE_SIMULATOR, DEBUG="true", SELFCARE_DEMO=demo)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_every_simulator_view_answers_404_when_the_demo_is_off(rp: RelyingParty) -> None:
    session_id = rp.start_notification()
    rp.start_device_link()
    client: Client = rp.client
    with override_settings(SELFCARE_DEMO=False):
        requests = [
            client.post(
                f"{API}authentication/notification/etsi/PNOLV-150385-12346",
                rp.body(notification=True),
                content_type="application/json",
            ),
            client.post(
                f"{API}authentication/device-link/anonymous",
                rp.body(notification=False),
                content_type="application/json",
            ),
            client.get(f"{API}session/{session_id}", {"timeoutMs": 0}),
            client.get("/simulators/smartid/phone/"),
            client.get("/simulators/smartid/phone/15038512346/"),
            client.post(f"/simulators/smartid/phone/15038512346/{session_id}/", {"answer": "confirm"}),
            client.get(rp.device_link("QR", elapsed_seconds=0)),
            client.post("/simulators/smartid/device-link/answer", {"session_token": rp.session["sessionToken"]}),
        ]

    assert [response.status_code for response in requests] == [404] * len(requests)
