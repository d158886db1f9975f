"""The catalogues are complete, keep their placeholders, and the committed .mo files match the .po sources."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE_DIR / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", ["lv", "ru"])
def test_every_message_is_translated_and_none_is_fuzzy(language: str) -> None:
    catalogue = _catalogue(language)
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("language", ["lv", "ru"])
def test_translations_keep_every_placeholder(language: str) -> None:
    for entry in _catalogue(language).translated_entries():
        wanted = set(PLACEHOLDER.findall(entry.msgid))
        forms = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for form in forms:
            assert set(PLACEHOLDER.findall(form)) == wanted, entry.msgid


@pytest.mark.parametrize("language", ["lv", "ru", "en"])
def test_the_committed_mo_file_matches_its_po_source(language: str) -> None:
    """`make messages` (or `selfcare compile_translations`) rebuilds it when this fails."""
    po = {(e.msgctxt, e.msgid): e.msgstr for e in _catalogue(language).translated_entries() if not e.msgid_plural}
    mo_path = LOCALE_DIR / language / "LC_MESSAGES" / "django.mo"
    mo = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(mo_path)) if not e.msgid_plural}
    assert mo == po


def test_every_app_name_shown_in_the_back_office_is_marked_for_translation() -> None:
    from django.apps import apps
    from django.utils.functional import Promise

    ours = [config for config in apps.get_app_configs() if config.name.startswith("selfcare.")]
    assert ours
    assert [config.name for config in ours if not isinstance(config.verbose_name, Promise)] == []


def test_the_russian_catalogue_says_profile_not_the_calque_identichnost() -> None:
    """ "Моя идентичность" reads as philosophy, not as an account page: a digital identity is "цифровой профиль"."""
    catalogue = _catalogue("ru")
    assert [e.msgid for e in catalogue if "дентичн" in e.msgstr] == []
    entry = catalogue.find("My identity")
    assert entry is not None
    assert entry.msgstr == "Мой профиль"
