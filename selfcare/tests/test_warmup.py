"""A server process loads its URLs and templates before its first request (selfcare/warmup.py)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from django.template import engines
from django.urls import get_resolver

from selfcare.warmup import YOUNG_COLLECTION_THRESHOLD, warm_up


@pytest.fixture(autouse=True)
def _unfrozen() -> Iterator[None]:
    """warm_up freezes what the process has loaded (gc.freeze) and sets the collector's thresholds; the test
    process's collector is left as it was."""
    thresholds = gc.get_threshold()
    gc.unfreeze()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_every_template_and_every_languages_urls_are_loaded_before_the_first_request() -> None:
    (cached,) = engines["django"].engine.template_loaders  # type: ignore[attr-defined]
    cached.reset()
    resolver = get_resolver()
    resolver._reverse_dict.clear()
    _prefix, portal = resolver.namespace_dict["portal"]
    portal._reverse_dict.clear()

    warm_up()

    assert {"lv", "en", "ru"} <= set(resolver._reverse_dict)
    assert {"lv", "en", "ru"} <= set(portal._reverse_dict)
    assert "portal/dashboard/dashboard.html" in cached.get_template_cache
    assert "portal/login/smartid_wait.html" in cached.get_template_cache


def test_what_the_process_has_loaded_is_left_out_of_the_collectors_full_collections() -> None:
    assert gc.get_freeze_count() == 0

    warm_up()

    # The loaded URLs, templates and modules are frozen: a full collection no longer walks them.
    assert gc.get_freeze_count() > 10_000
    assert gc.isenabled()  # what the requests make is still collected
    # ... its young generation less often than Python's default (700 objects)
    assert gc.get_threshold()[0] == YOUNG_COLLECTION_THRESHOLD > 700
