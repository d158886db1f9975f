"""`{% load kept_i18n %}` is Django's i18n library with constant `{% translate %}` texts kept (selfcare.portal.
templatetags.kept_i18n): every form of the tag renders what Django's own renders, in every language, the first
time and from the kept texts; and every template of the portal's own apps loads it. The simulators' templates load
Django's own: they stand in for outside systems and take nothing from the portal."""

from __future__ import annotations

import re

import pytest
from django.template import Context, engines
from django.template.engine import Engine
from django.test import Client, override_settings
from django.utils import translation

from selfcare.portal.templatetags import kept_i18n

FORMS = (
    '{% translate "Monthly fee" %}',
    '{% trans "Monthly fee" %}',
    '{% translate "Log out" %}|{% translate "Log out" as out %}[{{ out }}]',
    '{% translate "Monthly fee"|upper %}',
    '{% translate "May" context "month name" %}',
    '{% translate "Monthly fee" noop %}',
    "{% translate message %}",
    '{% translate "100%% <b>sure</b> & so" %}',
    '{% autoescape off %}{% translate "100%% <b>sure</b> & so" %}{% endautoescape %}',
    '{% for x in "ab" %}{% translate "Monthly fee" as fee %}{{ fee }}{% endfor %}',
)


def test_every_template_of_the_portals_apps_loads_the_kept_library_and_it_has_all_of_djangos_tags_and_filters() -> None:
    from pathlib import Path

    from django.templatetags import i18n

    import selfcare

    root = Path(selfcare.__file__).parent
    templates = [path for path in root.rglob("templates/**/*.html") if not path.is_relative_to(root / "simulators")]
    assert len(templates) > 80
    assert [path for path in templates if re.search(r"\{% load [^%]*\bi18n\b", path.read_text())] == []
    assert set(kept_i18n.register.tags) == set(i18n.register.tags)
    assert set(kept_i18n.register.filters) == set(i18n.register.filters)


@pytest.mark.parametrize("form", FORMS)
def test_each_form_of_translate_renders_what_djangos_own_renders(form: str) -> None:
    ours = engines["django"].engine  # type: ignore[attr-defined]
    djangos = Engine(libraries={"i18n": "django.templatetags.i18n"})
    kept_i18n._KEPT.clear()
    for _round in (1, 2):  # the second time from the kept texts
        for language in ("lv", "en", "ru", None):
            with translation.override(language):
                for message in ("Log out", "<i>x</i>"):
                    expected = djangos.from_string("{% load i18n %}" + form).render(Context({"message": message}))
                    rendered = ours.from_string("{% load kept_i18n %}" + form).render(Context({"message": message}))
                    assert rendered == expected
    with translation.override("lv"):
        assert ours.from_string('{% load kept_i18n %}{% translate "Monthly fee" %}').render(Context()) == "Mēneša maksa"


def test_the_kept_texts_are_forgotten_when_the_languages_change() -> None:
    kept_i18n._KEPT[("Monthly fee", "lv", True)] = "kept"
    with override_settings(LANGUAGES=[("lv", "Latviešu"), ("en", "English")]):
        assert not kept_i18n._KEPT


def test_a_kept_part_renders_what_the_part_renders_per_language_and_key_and_is_forgotten_when_settings_change() -> None:
    """`{% kept key … %}` (selfcare.portal.templatetags.portal, the base's switcher, header links and footer): the
    first render of each language and key is Django's own, later ones are the kept text; another key value or another
    language is rendered anew; a setting changed (here the brand) is seen at once."""
    from selfcare.config import Brand

    engine = engines["django"]
    body = (
        '{% translate "Log out" %} <a href="{% page_url "portal:dashboard" %}">{{ brand.name }}</a>{% static "x.css" %}'
        "{% if brand.support_url %} & {{ brand.support_url }}{% endif %}"
    )
    kept = engine.from_string("{% load kept_i18n portal static %}{% kept brand %}" + body + "{% endkept %}")
    plain = engine.from_string("{% load kept_i18n portal static %}" + body)
    first = Brand("A & B", "Op", "#000000", "#ffffff", "", "b@example.lv", "", support_url="https://x.lv/?a=1&b=2")
    second = Brand("C <D>", "Op", "#000000", "#ffffff", "", "b@example.lv", "")
    seen = set()
    for language in ("lv", "en", "ru", "lv"):
        with translation.override(language):
            for brand in (first, second, first):
                text = kept.render({"brand": brand})
                assert text == plain.render({"brand": brand})
                seen.add(text)
    assert len(seen) == 6  # three languages × two brands
    with translation.override("en"):
        before = kept.render({"brand": first})
        assert 'href="/en/dashboard/"' in before
        with override_settings(STATIC_URL="/elsewhere/"):
            after = kept.render({"brand": first})
            assert after == plain.render({"brand": first}) != before
        assert kept.render({"brand": first}) == before


BLOCK_FORMS = (
    "{% blocktranslate %}Monthly fee{% endblocktranslate %}",
    "{% blocktrans %}Monthly fee{% endblocktrans %}",
    "{% blocktranslate count counter=n %}{{ counter }} connection{% plural %}{{ counter }} connections"
    "{% endblocktranslate %}",
    "{% blocktranslate with number=text %}Reg. No. {{ number }}{% endblocktranslate %}",
    "{% blocktranslate with number=n %}Reg. No. {{ number }}{% endblocktranslate %}",
    "{% blocktranslate with count=n %}All {{ count }} connections, search and filters{% endblocktranslate %}",
    "{% blocktranslate asvar said count counter=n %}{{ counter }} connection{% plural %}{{ counter }} connections"
    "{% endblocktranslate %}[{{ said }}]",
    "{% blocktranslate trimmed with number=text %}\n  Reg. No.\n  {{ number }}\n{% endblocktranslate %}",
    '{% blocktranslate context "month name" %}May{% endblocktranslate %}',
    "{% blocktranslate %}{{ text }} and {{ missing }} at 100%{% endblocktranslate %}",
    "{% autoescape off %}{% blocktranslate with number=text %}Reg. No. {{ number }}{% endblocktranslate %}"
    "{% endautoescape %}",
    "{% load l10n %}{% localize off %}{% blocktranslate with count=n %}All {{ count }} connections, search and "
    "filters{% endblocktranslate %}{% endlocalize %}",
    "{% for x in 'ab' %}{% blocktranslate count counter=n %}{{ counter }} connection{% plural %}{{ counter }} "
    "connections{% endblocktranslate %}{% endfor %}",
    # what `with` and `count` set is gone after the tag
    "{% blocktranslate with number=text count counter=n %}{{ counter }} connection{% plural %}{{ counter }} "
    "connections{% endblocktranslate %}[{{ number }}{{ counter }}]",
)


@pytest.mark.filterwarnings("ignore:Plural value must be an integer:DeprecationWarning")  # Django's, for a Decimal
@pytest.mark.parametrize("invalid", ["", "INVALID(%s)"])
@pytest.mark.parametrize("form", BLOCK_FORMS)
def test_each_form_of_blocktranslate_renders_what_djangos_own_renders(form: str, invalid: str) -> None:
    """Counts that take each plural form of Latvian and Russian (negative ones too, as whole numbers and as
    decimals), numbers with a thousands separator, text that needs escaping, booleans (Django writes them as words),
    a value that is missing (with the engine's text for it), the first time and from the kept messages and numbers."""
    from decimal import Decimal

    libraries = {"l10n": "django.templatetags.l10n"}
    ours = Engine(
        libraries={**libraries, "kept_i18n": "selfcare.portal.templatetags.kept_i18n"}, string_if_invalid=invalid
    )
    djangos = Engine(libraries={**libraries, "i18n": "django.templatetags.i18n"}, string_if_invalid=invalid)
    kept_i18n._MESSAGES.clear()
    kept_i18n._NUMBERS.clear()
    values = [0, 1, 2, 5, 11, 21, 1234567, True, -9, Decimal(-9), -19, Decimal(-19)]
    theirs, kept = djangos.from_string("{% load i18n %}" + form), ours.from_string("{% load kept_i18n %}" + form)
    with override_settings(USE_THOUSAND_SEPARATOR=True):
        for _round in (1, 2):
            for language in ("lv", "en", "ru", None):
                with translation.override(language):
                    for n in values:
                        context = {"n": n, "text": "<b>A & B</b>"}
                        assert kept.render(Context(context)) == theirs.render(Context(context))
    with translation.override("ru"):
        count = "{% load kept_i18n %}" + BLOCK_FORMS[2]
        assert ours.from_string(count).render(Context({"n": 5})) == "5 подключений"
        assert ours.from_string(count).render(Context({"n": 21})) == "21 подключение"


def test_the_portals_templates_get_the_kept_blocktranslate() -> None:
    template = engines["django"].engine.from_string(  # type: ignore[attr-defined]
        "{% load kept_i18n %}{% blocktranslate %}Monthly fee{% endblocktranslate %}"
    )
    assert [type(node) for node in template.nodelist if type(node).__name__ != "LoadNode"] == [
        kept_i18n.KeptBlockTranslateNode
    ]


def test_blocktranslate_counting_something_that_is_no_number_fails_as_djangos_does() -> None:
    from django.template import TemplateSyntaxError

    form = "{% load kept_i18n %}" + BLOCK_FORMS[2]
    with pytest.raises(TemplateSyntaxError, match="must be a number"):
        engines["django"].engine.from_string(form).render(Context({"n": "many"}))  # type: ignore[attr-defined]


def test_the_kept_messages_and_numbers_are_forgotten_when_settings_change() -> None:
    kept_i18n._MESSAGES[("node", "lv", 1)] = "kept"
    kept_i18n._NUMBERS[(1234, "lv", None, True)] = "kept"
    with override_settings(LANGUAGES=[("lv", "Latviešu"), ("en", "English")]):
        assert not kept_i18n._MESSAGES
        assert not kept_i18n._NUMBERS
    kept_i18n._NUMBERS[(1234, "lv", None, True)] = "kept"
    with override_settings(USE_THOUSAND_SEPARATOR=True):
        assert not kept_i18n._NUMBERS


def test_a_kept_number_is_written_as_the_place_it_is_written_in_asks() -> None:
    """The same number in the same language, kept once, then asked for where localizing is off and on again."""
    ours = engines["django"].engine  # type: ignore[attr-defined]
    body = "{% blocktranslate with count=n %}All {{ count }} connections, search and filters{% endblocktranslate %}"
    on = ours.from_string("{% load kept_i18n %}" + body)
    off = ours.from_string("{% load kept_i18n l10n %}{% localize off %}" + body + "{% endlocalize %}")
    kept_i18n._NUMBERS.clear()
    with override_settings(USE_THOUSAND_SEPARATOR=True), translation.override("en"):
        assert on.render(Context({"n": 1234567})) == "All 1,234,567 connections, search and filters"
        assert off.render(Context({"n": 1234567})) == "All 1234567 connections, search and filters"
        assert on.render(Context({"n": 1234567})) == "All 1,234,567 connections, search and filters"


@pytest.mark.django_db
def test_the_kept_script_tags_carry_no_nonce(client: Client) -> None:
    """The base's script tags (htmx's among them) are a kept part, the same text for every response: a CSP nonce,
    which must differ per response, would be kept from the first. The policy allows our scripts by address."""
    page = client.get("/en/").content.decode()
    assert "<script" in page
    assert "nonce" not in page
