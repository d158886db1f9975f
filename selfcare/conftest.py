"""Fixtures shared by the whole suite: a real browser (Debian's chromium driven by Playwright) and the eID
simulators served by a live server, with the portal's production clients pointed at them.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

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


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; Django refuses ORM calls in such a thread unless
    # told that the test knows what it is doing. The tests do: they only read rows the live server wrote.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def eid_simulators(live_server: Any, settings: Any) -> Iterator[str]:
    """Point the portal's eID clients at the simulators served by the live server; yield the server's URL."""
    from selfcare.identity.methods.smartid.config import smartid_config

    settings.SMARTID_API_URL = f"{live_server.url}/simulators/smartid/v3/"
    smartid_config.cache_clear()
    yield live_server.url
    smartid_config.cache_clear()
