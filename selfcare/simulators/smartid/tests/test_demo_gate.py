"""Outside demo mode the simulator does not exist: not mounted, and its views refuse even if mounted."""

from __future__ import annotations

from django.test import Client, override_settings

from selfcare.simulators.smartid.tests.conftest import API, RelyingParty


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
