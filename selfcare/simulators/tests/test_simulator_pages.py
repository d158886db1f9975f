"""What holds for every simulator: mounted only in demo mode, and wearing the portal's brand stylesheet."""

import pytest
from django.test import Client

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


SIMULATOR_ADDRESSES = [
    "/simulators/smartid/phone/",
    "/simulators/eparaksts/trustedx-authserver/oauth/lvrtc-eipsign-as",
    "/simulators/banks/swedbank/",
    "/simulators/sms/",
]
RESOLVE_SIMULATORS = (
    "import django; django.setup(); from django.urls import resolve, Resolver404\n"
    f"for path in {SIMULATOR_ADDRESSES!r}:\n"
    "    try:\n        resolve(path); print('mounted')\n"
    "    except Resolver404:\n        print('absent')"
)


@pytest.mark.parametrize(("demo", "expected"), [("false", "absent"), ("true", "mounted")])
def test_every_simulator_is_mounted_only_in_demo_mode(demo: str, expected: str) -> None:
    result = run_python(RESOLVE_SIMULATORS, DEBUG="true", SELFCARE_DEMO=demo)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [expected] * len(SIMULATOR_ADDRESSES)
