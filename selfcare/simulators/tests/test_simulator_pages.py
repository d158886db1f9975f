"""Every simulator page wears the portal's brand stylesheet: without it the white header text is invisible."""

import pytest
from django.test import Client

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
