"""What a server process loads before its first request, so that no person's request pays for it.

Django loads the URLconf (and with it every view module), each language's reverse table and each template on the
first request that needs them, and ua-parser compiles its ~1,300 rules on the first login it describes. Under
gunicorn every worker process pays this again: measured in `make load`, the first requests of each worker took up
to seconds of CPU, and a login from a new browser ~0.5 s for the rules alone. `selfcare.wsgi` calls `warm_up()`
once per process, before the server hands it a request; management commands and tests do not.
"""

from __future__ import annotations

import gc
import logging
import time
from pathlib import Path

from django.conf import settings
from django.template import engines
from django.urls import URLResolver, get_resolver
from django.utils import translation

from selfcare.security.sessions import describe_device

logger = logging.getLogger(__name__)

# A current desktop browser's user agent: describing it compiles the rules every later description uses.
_SAMPLE_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)


def warm_up() -> None:
    started = time.process_time()
    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 - imports the URLconf and every view module
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            _fill_reverse_tables(resolver)
    describe_device(_SAMPLE_USER_AGENT)
    templates = _load_templates()
    _freeze_what_is_loaded()
    logger.info(
        "warmed up in %.0f ms of CPU: URLs in %d languages, %d templates, the user-agent rules",
        (time.process_time() - started) * 1000,
        len(settings.LANGUAGES),
        templates,
    )


YOUNG_COLLECTION_THRESHOLD = 10_000


def _freeze_what_is_loaded() -> None:
    """Leave what the process has loaded (modules, URL patterns, templates, the ORM's models: some 280,000 objects
    the collector tracks) out of the garbage collector's full collections, which otherwise walk all of it: each one
    took about 165 ms of CPU in a worker under `make load`, while every thread of the process waited for it
    (docs/performance.md). Nothing loaded here is garbage; `gc.freeze` only stops the collector looking at it."""
    gc.collect()
    gc.freeze()
    # And collect the young generation less often: with the default of 700 container objects made (and not yet
    # freed), a page of a few thousand objects set off a few young collections, each walking every live object of
    # the threads' requests at that moment: under `make load` 0.15 ms of CPU per request in the young and middle
    # generations. What a request makes is mostly freed by reference counting before any collection sees it.
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, middle, old)


def _fill_reverse_tables(resolver: URLResolver) -> None:
    """The active language's reverse table of `resolver` and of each namespace under it (each fills its own)."""
    resolver.reverse_dict  # noqa: B018
    for _prefix, namespace in resolver.namespace_dict.values():
        _fill_reverse_tables(namespace)


def _load_templates() -> int:
    """Compile the project's own templates into the cached loader (only where it caches: not with DEBUG on)."""
    if settings.DEBUG:
        return 0
    engine = engines["django"]
    package = Path(__file__).resolve().parent
    loaded = 0
    for directory in sorted(package.glob("*/templates")):
        for path in sorted(directory.rglob("*.html")):
            engine.get_template(path.relative_to(directory).as_posix())
            loaded += 1
    return loaded
