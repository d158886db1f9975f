"""The portal's own error pages: translated, in its layout, never Django's debug page (the demo runs with DEBUG off)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db


def test_debug_is_off_under_test_as_in_the_demo() -> None:
    assert settings.DEBUG is False


@pytest.mark.parametrize(
    ("prefix", "heading"), [("", "Lapa nav atrasta"), ("/en", "Page not found"), ("/ru", "Страница не найдена")]
)
def test_a_missing_page_is_our_404_in_the_portals_layout_and_language(
    client: Client, prefix: str, heading: str
) -> None:
    response = client.get(f"{prefix}/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert f"<h1>{heading}</h1>" in html
    assert 'data-testid="footer"' in html  # the portal's layout
    assert "URLconf" not in html  # not Django's technical page listing every pattern


def test_an_error_is_our_translated_500_page(client: Client) -> None:
    from django.test import RequestFactory

    from selfcare.portal.unavailable import server_error

    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Kaut kas nogāja greizi" in response.content.decode()
