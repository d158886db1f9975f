"""Fixtures shared by the whole suite: a real browser (Debian's chromium driven by Playwright) and the eID
simulators served as their own server (as `make run` serves them), with the portal's production clients pointed
at them.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
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
    from django.db.backends.signals import connection_created

    connection_created.connect(_read_without_table_locks, dispatch_uid="selfcare-test-read-uncommitted")
    from django.core.signals import request_finished, request_started

    request_started.connect(REQUESTS_IN_FLIGHT.started, dispatch_uid="selfcare-test-requests-started")
    request_finished.connect(REQUESTS_IN_FLIGHT.finished, dispatch_uid="selfcare-test-requests-finished")


class _RequestsInFlight:
    """Requests the live servers are still answering, counted by Django's request signals.

    A test's database teardown (a flush, BEGIN IMMEDIATE) fails at once with "database table is locked" while a
    request of the last page (a login poll waiting on the Smart-ID simulator, say) still holds a write on SQLite's
    shared in-memory database: the browser tests wait for those to end before the database is cleaned."""

    def __init__(self) -> None:
        self.threads: dict[threading.Thread, int] = {}
        self.changed = threading.Condition()

    def started(self, **kwargs: Any) -> None:
        thread = threading.current_thread()
        if thread is threading.main_thread():
            # The test's own client requests: a streamed response nobody read never sends request_finished.
            return
        with self.changed:
            self.threads[thread] = self.threads.get(thread, 0) + 1

    def finished(self, **kwargs: Any) -> None:
        thread = threading.current_thread()
        with self.changed:
            if self.threads.get(thread, 0) <= 1:
                self.threads.pop(thread, None)
            else:
                self.threads[thread] -= 1
            self.changed.notify_all()

    def _busy(self) -> bool:
        # A thread that died inside a request (its response never closed) is not waited for.
        self.threads = {thread: depth for thread, depth in self.threads.items() if thread.is_alive()}
        return bool(self.threads)

    def wait_until_none(self, seconds: float = 15.0) -> None:
        deadline = time.monotonic() + seconds
        with self.changed:
            while self._busy() and time.monotonic() < deadline:
                self.changed.wait(min(0.2, max(0.0, deadline - time.monotonic())))


REQUESTS_IN_FLIGHT = _RequestsInFlight()


def _read_without_table_locks(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Django's SQLite test database is one in-memory database in shared-cache mode. Each thread of the portal's live
    server opens its own connection to it, and shared-cache connections lock whole tables against each other: a
    reader holding `orders_order` made an order's callback fail at once with "database table is locked" (shared-cache
    locks wait for nothing, the settings' timeout does not apply), seen in CI. Reading uncommitted rows takes no read
    locks, so the portal's page polls no longer block its writers. Test databases only: production is a file in WAL
    mode or PostgreSQL."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        connection.connection.execute("PRAGMA read_uncommitted = 1")


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
def _smartid_push_for_everyone(settings: Any) -> None:
    """The suite keeps Smart-ID's push login for every browser (an operator's transition setting), so the many
    journeys that log in through the shared helpers with a personal code run in a fresh browser each. The tests of
    the production default (push only in a known browser, the device link everywhere) set it back to False."""
    settings.SMARTID_PUSH_FOR_EVERYONE = True


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
    REQUESTS_IN_FLIGHT.wait_until_none()


@pytest.fixture(scope="session", autouse=True)
def _demo_pki() -> None:
    """The test PKI's files the demo's settings name (trust anchors, bank-link keys), made before any test reads
    them, as `selfcare demo_data` makes them before the demo starts."""
    from selfcare.simulators.pki.demo import ensure_demo_pki

    ensure_demo_pki()


@pytest.fixture(scope="session")
def simulators_server(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Any]:
    """The simulator service for the whole session: a live server thread with the simulators' URLconf (its own
    port, as `selfcare simulators` has), sharing the test database as the demo's two processes share one."""
    from django.test.testcases import LiveServerThread
    from pytest_django.live_server_helper import LiveServer

    from selfcare.simulators.testing import simulators_static_handler

    with django_db_blocker.unblock():
        server = LiveServer("localhost", start=False)
        server.thread = LiveServerThread(
            "localhost",
            static_handler=simulators_static_handler,  # type: ignore[arg-type]  # a factory, as a class is
            connections_override=server.thread.connections_override,
        )
        server.thread.daemon = True
        server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _simulators(request: pytest.FixtureRequest, settings: Any) -> Iterator[None]:
    """Every test with the database reaches the simulator service by the demo's settings: each provider's URL (and
    the test PKI's OCSP and CRL host, asked whenever a signature is checked) defaults to SELFCARE_SIMULATORS_URL.

    The service shares the test database, so a test without it cannot have it: such a test that checks a signature
    marks itself `django_db`."""
    uses_database = "django_db" in request.keywords or {"db", "transactional_db", "live_server"} & set(
        request.fixturenames
    )
    if not uses_database:
        yield
        return
    server = request.getfixturevalue("simulators_server")
    settings.SELFCARE_SIMULATORS_URL = server.url
    settings.REVOCATION_URL_MAP = {"http://pki.selfcare.test": f"{server.url}/simulators/pki"}
    yield


@pytest.fixture
def simulators_url(simulators_server: Any) -> str:
    """Where the simulator service answers (the Smart-ID phone, the SMS phone, the banks' pages)."""
    return str(simulators_server.url)


@pytest.fixture
def simulators_client() -> Any:
    """A test client for the simulator service, in-process (what a person's phone or a bank's page does)."""
    from selfcare.simulators.testing import SimulatorsClient

    return SimulatorsClient()


@pytest.fixture
def eid_simulators(live_server: Any, settings: Any, simulators_server: Any) -> Iterator[str]:
    """The portal's live server, its eID clients pointed at the simulator service; yield the portal's URL.

    The portal's Content-Security-Policy lets its forms go to the simulators' pages, and the simulators' lets theirs
    come back (in the demo each service's settings name the other; here both servers share one settings object).
    """
    from selfcare.security.headers import content_security_policy

    settings.SELFCARE_PORTAL_URL = live_server.url
    settings.CONTENT_SECURITY_POLICY = content_security_policy(
        form_targets=[live_server.url, simulators_server.url], image_sources=[settings.BRAND.logo_url]
    )
    yield live_server.url
    REQUESTS_IN_FLIGHT.wait_until_none()


@pytest.fixture(autouse=True)
def documents_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Every test keeps its stored documents in a folder of its own (the local documents storage), never in var/;
    a test that looks at what was stored takes this fixture: the folder's Path."""
    from django.conf import settings

    if not settings.configured:
        yield None
        return
    folder = tmp_path_factory.mktemp("documents")
    override = request.getfixturevalue("settings")
    storages = {**override.STORAGES}
    storages["documents"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(folder)},
    }
    override.STORAGES = storages
    yield folder
