from typing import Any

import pytest
from django.test import Client

from selfcare.tests.subprocess_django import run_python

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "lang", "heading"),
    [
        ("/", "lv", "Drošāka un ērtāka pārvaldība"),
        ("/en/", "en", "Safer and more convenient management"),
        ("/ru/", "ru", "Более безопасное и удобное управление"),
    ],
)
def test_the_landing_page_explains_the_change_in_each_language(
    client: Client, path: str, lang: str, heading: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    assert heading in html
    for method in ("Smart-ID", "eParaksts Mobile", "eID Scan", "Swedbank", "SEB", "Citadele", "Luminor"):
        assert method in html


def test_the_landing_page_has_no_password_field(client: Client) -> None:
    html = client.get("/en/").content.decode()
    assert 'type="password"' not in html
    assert "no passwords" in html.lower()


@pytest.mark.parametrize(
    ("start", "language", "target"),
    [
        ("/", "ru", "/ru/"),
        ("/", "en", "/en/"),
        ("/en/", "ru", "/ru/"),
        ("/en/login/smart-id/", "ru", "/ru/login/smart-id/"),
        ("/ru/login/", "lv", "/login/"),
        ("/ru/login/?next=/x", "en", "/en/login/?next=/x"),
        ("/login/", "lv", "/login/"),
        ("https://evil.example/", "en", "/en/"),
        ("/healthz", "ru", "/healthz"),
    ],
)
def test_the_language_switcher_goes_from_any_language_to_any_other(
    client: Client, start: str, language: str, target: str
) -> None:
    response = client.post("/i18n/setlang/", {"language": language, "next": start})
    assert response.status_code == 302
    assert response["Location"] == target


def test_the_latvian_page_is_the_default_and_a_chosen_language_is_remembered(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/ru/"
    assert client.cookies["selfcare_language"].value == "ru"


def test_the_page_has_landmarks_a_skip_link_and_a_labelled_language_switcher(client: Client) -> None:
    html = client.get("/en/").content.decode()
    assert 'href="#main"' in html
    assert '<main id="main"' in html
    assert '<label for="language-select">' in html
    assert html.count("<h1") == 1


def test_the_brand_comes_from_configuration(client: Client, settings: object) -> None:
    css = client.get("/brand.css")
    assert css["Content-Type"].startswith("text/css")
    assert "--brand-primary: #1f2a44" in css.content.decode()
    assert "Mans Tele2" in client.get("/en/").content.decode()


def test_health_check_answers_200_when_the_database_answers(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


def test_health_check_answers_503_when_the_database_does_not() -> None:
    # A real unreachable database: PostgreSQL on a port where nothing listens.
    code = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/healthz'); print(r.status_code, r.json()['database'])"
    )
    result = run_python(
        code,
        DEBUG="true",
        SELFCARE_HTTPS="false",
        ALLOWED_HOSTS="testserver",
        DATABASE_URL="postgres://nobody@127.0.0.1:9/nothing",
    )
    assert result.stdout.split() == ["503", "down"], result.stderr


def test_the_brand_has_a_logo_slot_its_typeface_and_a_footer_with_support_contacts(
    client: Client, settings: Any
) -> None:
    import dataclasses

    settings.BRAND = dataclasses.replace(
        settings.BRAND,
        logo_url="https://cdn.example.lv/logo.svg",
        support_phone="+371 1600",
        support_email="info@tele2.lv",
        font_family='"Tele2 Sans", Arial, sans-serif',
    )
    html = client.get("/en/").content.decode()
    assert '<img class="brand-logo" src="https://cdn.example.lv/logo.svg" alt="Mans Tele2" height="32">' in html
    footer = html.split('data-testid="footer"')[1]
    assert 'href="tel:+3711600"' in footer
    assert 'href="mailto:info@tele2.lv"' in footer
    assert "Help and contacts on the Tele2 website" in footer
    assert 'href="mailto:bizness@tele2.lv"' in footer
    assert '--brand-font: "Tele2 Sans", Arial, sans-serif;' in client.get("/brand.css").content.decode()


def test_a_brand_typeface_hosted_elsewhere_is_loaded_by_the_stylesheet_and_allowed_by_the_policy(
    client: Client, settings: Any
) -> None:
    import dataclasses

    from selfcare.security.headers import content_security_policy

    settings.BRAND = dataclasses.replace(
        settings.BRAND, font_family='"Tele2 Sans", Arial, sans-serif', font_url="https://cdn.example.lv/t2sans.woff2"
    )
    css = client.get("/brand.css").content.decode()
    assert (
        '@font-face { font-family: "Tele2 Sans"; src: url("https://cdn.example.lv/t2sans.woff2") format("woff2"); '
        "font-display: swap; }" in css
    )
    policy = content_security_policy(font_sources=[settings.BRAND.font_url])
    assert policy["DIRECTIVES"]["font-src"] == ["'self'", "https://cdn.example.lv"]  # type: ignore[index]
    assert content_security_policy()["DIRECTIVES"]["font-src"] == ["'self'"]  # type: ignore[index]


def test_without_a_logo_the_slot_shows_the_name_as_a_wordmark(client: Client) -> None:
    html = client.get("/en/").content.decode()
    assert '<span class="brand-name">Mans Tele2</span>' in html
