"""A server process loads its URLs and templates before its first request (selfcare/warmup.py)."""

from __future__ import annotations

from django.template import engines
from django.urls import get_resolver

from selfcare.warmup import warm_up


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
