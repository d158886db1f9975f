"""Values built once per process from settings, forgotten whenever a setting changes.

An outside system's configuration (a provider's URL, keys and trust anchors, the revocation checker) is read from
several settings, validated and built once: building it on every request would cost a login its certificates'
parsing. In production settings never change while the process runs. Tests and the benches change them
(`override_settings`, pytest-django's `settings`): Django then sends `setting_changed`, and every value kept here is
built again on its next use from the settings of that moment. It is forgotten on any setting, not only those it
reads: which settings each configuration reads is its own business and changes with it, and a stale configuration
that still points at the last test's server is a failure far from its cause.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.signals import setting_changed
from django.dispatch import receiver

T = TypeVar("T")

_KEPT: list[functools._lru_cache_wrapper[Any]] = []


def settings_cached(function: Callable[..., T]) -> functools._lru_cache_wrapper[T]:
    """`functools.cache`, forgotten when any setting changes."""
    cached = functools.cache(function)
    _KEPT.append(cached)
    return cached


def forget_settings_cached() -> None:
    """Forget every kept value now (what a change of settings does)."""
    for cached in _KEPT:
        cached.cache_clear()


@receiver(setting_changed)
def _forget(**_kwargs: object) -> None:
    forget_settings_cached()
