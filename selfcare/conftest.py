"""Fixtures shared by the whole suite: a real browser (Debian's chromium driven by Playwright) and the eID
simulators served by a live server, with the portal's production clients pointed at them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from selfcare.tests.clock import CLOCK_OPTION, moment_from_option

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Browser tests need Debian's chromium: run `make browser` (apt-get install chromium).")
    return path


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        CLOCK_OPTION,
        default=os.environ.get("SELFCARE_TEST_CLOCK", ""),
        metavar="MOMENT",
        help="run every test at this moment (ISO 8601 with an offset, e.g. 2027-01-01T00:20+02:00); the clock "
        "ticks on from there. CI travels the suite to the moments that matter (README 'Dates and time').",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives a real browser (Playwright and Debian's chromium)")
    moment = moment_from_option(config.getoption(CLOCK_OPTION))
    if moment is not None:
        import time_machine

        # Session-wide, so that what is made once for the session (the test PKI, the live server) is made then too.
        traveller = time_machine.travel(moment, tick=True)
        traveller.start()
        config.add_cleanup(traveller.stop)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if {"page", "browser"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


def pytest_report_header(config: pytest.Config) -> str | None:
    moment = moment_from_option(config.getoption(CLOCK_OPTION))
    return f"clock: every test starts at {moment.isoformat()}" if moment else None


@pytest.fixture(autouse=True)
def _clock(request: pytest.FixtureRequest) -> Iterator[None]:
    """With --clock, each test starts at exactly that moment (a long run would otherwise drift past it); a test
    that pins its own clock inside travels on from there."""
    moment = moment_from_option(request.config.getoption(CLOCK_OPTION))
    if moment is None:
        yield
        return
    import time_machine

    with time_machine.travel(moment, tick=True):
        yield


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Each test starts with an empty cache: the simulators keep their sessions there."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in no active language (so the default, Latvian): a page request in /en/ leaves English
    active in the thread, and code outside a request (an SMS queued by a service) would speak it in the next test."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One browser per test module: Playwright's sync API keeps an event loop running in this thread while it
    lives, which must not leak into later tests (they may run their own loops)."""
    from playwright.sync_api import sync_playwright

    # Django refuses ORM calls in a thread with a running event loop unless told the caller knows what it does.
    # The browser tests do: they only read rows the live server wrote.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
            yield launched
            launched.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def eid_simulators(live_server: Any, settings: Any) -> Iterator[str]:
    """Point the portal's eID clients at the simulators served by the live server; yield the server's URL."""
    from selfcare.identity.methods.banklink.profiles import bank_profile
    from selfcare.identity.methods.eparaksts.config import eparaksts_config
    from selfcare.identity.methods.smartid.config import smartid_config

    settings.SMARTID_API_URL = f"{live_server.url}/simulators/smartid/v3/"
    settings.BANKLINK = {
        bank: {**values, "URL": f"{live_server.url}/simulators/banks/{bank}/"}
        for bank, values in settings.BANKLINK.items()
    }
    settings.EPARAKSTS_URL = f"{live_server.url}/simulators/eparaksts"
    caches = (smartid_config, eparaksts_config, bank_profile)
    for cached in caches:
        cached.cache_clear()
    yield live_server.url
    for cached in caches:
        cached.cache_clear()
