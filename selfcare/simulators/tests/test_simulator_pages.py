"""What holds for every simulator: served by the simulator service only, and wearing the portal's brand stylesheet."""

import pytest
from django.test import Client

from selfcare.simulators.testing import SimulatorsClient
from selfcare.simulators.urls import MOUNTS
from selfcare.tests.subprocess_django import run_python

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/simulators/smartid/phone/",
        "/simulators/banks/swedbank/",
        "/simulators/eparaksts/trustedx-authserver/oauth/lvrtc-eipsign-as",
        "/simulators/sms/",
    ],
)
def test_simulator_pages_load_the_brand_stylesheet(client: Client, url: str) -> None:
    # The bank's login page takes the portal's signed POST; an empty one gets the bank's refusal page.
    response = client.post(url) if "/banks/" in url else client.get(url)
    html = response.content.decode()
    assert '<link rel="stylesheet" href="/brand.css">' in html, (url, response.status_code)


def test_an_unknown_address_at_the_simulators_is_a_plain_404_not_the_portals_page() -> None:
    response = SimulatorsClient().get("/simulators/nothing-here/")
    assert response.status_code == 404
    assert response.content == b"not found"


SIMULATOR_ADDRESSES = [
    "/simulators/smartid/phone/",
    "/simulators/eparaksts/trustedx-authserver/oauth/lvrtc-eipsign-as",
    "/simulators/banks/swedbank/",
    "/simulators/sms/",
    "/simulators/pki/ocsp",
    "/simulators/wallet/status/pid",
]
RESOLVE = (
    "import django; django.setup(); from django.urls import resolve, Resolver404\n"
    f"for path in {SIMULATOR_ADDRESSES!r}:\n"
    "    try:\n        resolve(path, urlconf={urlconf!r}); print('mounted')\n"
    "    except Resolver404:\n        print('absent')"
)


@pytest.mark.parametrize(
    ("urlconf", "expected"), [("selfcare.urls", "absent"), ("selfcare.simulators.urls", "mounted")]
)
def test_the_portal_mounts_no_simulator_and_the_simulator_service_mounts_every_one(urlconf: str, expected: str) -> None:
    result = run_python(RESOLVE.replace("{urlconf!r}", repr(urlconf)), SELFCARE_DEMO="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [expected] * len(SIMULATOR_ADDRESSES)
    assert len(MOUNTS) == len({prefix for prefix, _ in MOUNTS})
