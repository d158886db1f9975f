"""Where a hot path's time goes, before and after changing it: cProfile of the token endpoint's refresh and code
grants (in process, through Django's test client, so no HTTP server is in the figures) and of a usage import, on a
throwaway database (SQLite, or DATABASE_URL's server), with the number of SQL statements per request.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt19 .venv/bin/python -m selfcare.bench.profile tokens
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt19 .venv/bin/python -m selfcare.bench.profile ingest
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt19 .venv/bin/python -m selfcare.bench.profile dashboard
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt19 .venv/bin/python -m selfcare.bench.profile api
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt19 .venv/bin/python -m selfcare.bench.profile page
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/wt19 .venv/bin/python -m selfcare.bench.profile smartid

(with SELFCARE_HTTPS=false, as `make bench` runs). `PROFILE_SCALE` (default 25000) is the dashboard's company size.

`PROFILE_SORT` (default `tottime`) and `PROFILE_LINES` (default 40) shape the table printed; `PROFILE_DUMP=path`
also writes each profile's raw stats to `path-<title>.pstats` (for pstats' callers and callees).
"""

from __future__ import annotations

import cProfile
import datetime
import io
import json
import os
import pstats
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REQUESTS = 400
INGEST_EVENTS = 200_000


def _print_profile(profile: cProfile.Profile, title: str) -> None:
    if os.environ.get("PROFILE_DUMP"):  # the raw stats, for pstats' callers and callees
        profile.dump_stats(f"{os.environ['PROFILE_DUMP']}-{title.replace(' ', '-')}.pstats")
    stream = io.StringIO()
    stats = pstats.Stats(profile, stream=stream)
    stats.sort_stats(os.environ.get("PROFILE_SORT", "tottime")).print_stats(int(os.environ.get("PROFILE_LINES", 40)))
    print(f"== {title}\n{stream.getvalue()}", flush=True)


def _statements(action: Callable[[], object]) -> list[str]:
    from django.db import connection

    seen: list[str] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        seen.append(" ".join(sql.split())[:110])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        action()
    return seen


def _database_cpu() -> Callable[[], float]:
    """The CPU seconds so far of this connection's PostgreSQL backend, read from /proc (the server on this
    machine); 0.0 when that cannot be read (SQLite, another machine)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return lambda: 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")
    ticks = os.sysconf("SC_CLK_TCK")

    def read() -> float:
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime

    return read


def _cpu(action: Callable[[], object], title: str) -> None:
    """Wall and CPU milliseconds per call of `action` without a profiler: on a busy machine the wall time is mostly
    waiting, the CPU time is what the endpoint costs this process (the test client's own share included) and, on
    PostgreSQL on this machine, its database connection."""
    action()
    database = _database_cpu()
    cpu, wall, server = time.process_time(), time.perf_counter(), database()
    for _ in range(REQUESTS // 2):
        action()
    print(
        f"{title}: {(time.perf_counter() - wall) / (REQUESTS // 2) * 1000:.2f} ms wall, "
        f"{(time.process_time() - cpu) / (REQUESTS // 2) * 1000:.2f} ms CPU each, "
        f"the database {(database() - server) / (REQUESTS // 2) * 1000:.2f} ms, without the profiler"
    )


def tokens() -> None:
    from django.test import Client, override_settings

    from selfcare.access.tests import factories as people
    from selfcare.channels.tests import oidc

    anna = people.person("15038512346", "ANNA", "BĒRZIŅA")
    oidc.app(client_id="profile-app")
    browser = Client()
    oidc.eid_session(browser, anna)
    app = Client()  # the app's HTTP client, as in the bench: no portal session cookie, urlencoded forms

    def new_tokens() -> dict[str, str]:
        pkce = oidc.Pkce.new()
        code = oidc.code_from(browser, pkce, client_id="profile-app")
        answer = oidc.exchange(app, code, pkce, client_id="profile-app")
        assert answer.status_code == 200, answer.content
        return dict(json.loads(answer.content))

    # Registered for ES256 like the bench's demo app (PROFILE_RS256=1 profiles an RS256 client instead).
    es256 = [] if os.environ.get("PROFILE_RS256") else ["profile-app"]
    with override_settings(DEBUG=False, OIDC_ES256_CLIENTS=es256):
        state = new_tokens()

        def one_refresh() -> None:
            answer = oidc.refresh(app, state["refresh_token"], client_id="profile-app")
            assert answer.status_code == 200, answer.content
            state.update(json.loads(answer.content))

        print("statements of one refresh:", *_statements(one_refresh), sep="\n  ")
        _cpu(one_refresh, "refresh grant")
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        for _ in range(REQUESTS):
            one_refresh()
        profile.disable()
        elapsed = time.perf_counter() - started
        print(f"refresh grant: {REQUESTS / elapsed:.0f}/s in one thread, {elapsed / REQUESTS * 1000:.2f} ms each")
        _print_profile(profile, "refresh grant")

        spare = [oidc.Pkce.new() for _ in range(REQUESTS // 2 + 1)]
        spare_codes = iter([(pkce, oidc.code_from(browser, pkce, client_id="profile-app")) for pkce in spare])

        def one_exchange() -> None:
            pkce, code = next(spare_codes)
            assert oidc.exchange(app, code, pkce, client_id="profile-app").status_code == 200

        _cpu(one_exchange, "code exchange")
        pkces = [oidc.Pkce.new() for _ in range(REQUESTS)]
        codes = [oidc.code_from(browser, pkce, client_id="profile-app") for pkce in pkces]
        extra = oidc.Pkce.new()
        extra_code = oidc.code_from(browser, extra, client_id="profile-app")
        print(
            "statements of one code exchange:",
            *_statements(lambda: oidc.exchange(app, extra_code, extra, client_id="profile-app")),
            sep="\n  ",
        )
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        for code, pkce in zip(codes, pkces, strict=True):
            assert oidc.exchange(app, code, pkce, client_id="profile-app").status_code == 200
        profile.disable()
        elapsed = time.perf_counter() - started
        print(f"code exchange: {REQUESTS / elapsed:.0f}/s in one thread, {elapsed / REQUESTS * 1000:.2f} ms each")
        _print_profile(profile, "code grant")


def ingest() -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import override_settings

    from selfcare.bench import usage_ingest
    from selfcare.usage.csvfile import import_file

    count = int(os.environ.get("BENCH_USAGE_EVENTS", INGEST_EVENTS))
    connections, name = usage_ingest._setup(count)
    path = Path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    usage_ingest._write_file(path, count, [c.msisdn for c in connections])
    with override_settings(DEBUG=False):
        timings: list[tuple[str, float]] = []

        def clock(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                timings.append((" ".join(sql.split())[:90], time.perf_counter() - started))

        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        with connection.execute_wrapper(clock):
            import_file(path, batch_rows=settings.USAGE_IMPORT_BATCH_ROWS)
        profile.disable()
        elapsed = time.perf_counter() - started
        print(f"import of {count:,} events: {count / elapsed:,.0f}/s, {elapsed:.2f} s")
        in_sql = sum(seconds for _sql, seconds in timings)
        print(f"  of it {len(timings)} statements {in_sql:.2f} s; the slowest:")
        for sql, seconds in sorted(timings, key=lambda t: -t[1])[:12]:
            print(f"    {seconds * 1000:9.1f} ms  {sql}")
        _print_profile(profile, "usage import")
        started, cpu = time.perf_counter(), time.process_time()
        import_file(path)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(f"replay: {count / wall:,.0f}/s, {cpu / count * 1e6:.2f} µs CPU here per row, without the profiler")
        path.unlink()
        # The next file of the same days without the profiler: wall and CPU seconds, this process's (both threads:
        # the parser's and the caller's) and its database backend's; more than the wall when they overlap.
        usage_ingest._write_file(path, count, [c.msisdn for c in connections], prefix="profile-next", seed=10)
        database = _database_cpu()
        cpu, wall, server = time.process_time(), time.perf_counter(), database()
        import_file(path)
        wall, cpu, server = time.perf_counter() - wall, time.process_time() - cpu, database() - server
        print(
            f"next file without the profiler: {count / wall:,.0f}/s, {wall:.2f} s wall, {cpu:.2f} s CPU here, "
            f"{server:.2f} s CPU in the database backend, load average {os.getloadavg()[0]:.2f}"
        )
    path.unlink()


def dashboard() -> None:
    """The dashboard of the person of the bench (4 companies × PROFILE_SCALE connections): each statement with its
    time, then the profile of REQUESTS // 4 views."""
    from django.test import Client, override_settings

    from selfcare.demo import dataset
    from selfcare.demo.loader import load_demo
    from selfcare.identity.methods.base import VerifiedIdentity
    from selfcare.identity.services import identity_for

    load_demo(scale=int(os.environ.get("PROFILE_SCALE", 25_000)))
    anna = dataset.PERSONS[0]
    identity = identity_for(
        VerifiedIdentity("smartid", "LV", anna.personal_code.replace("-", ""), "ANNA", "BĒRZIŅA", "qualified", {})
    )
    client = Client()
    client.force_login(identity.user)
    with override_settings(DEBUG=False):
        client.get("/en/dashboard/")  # the session's first write, and the company summaries

        def call() -> None:
            assert client.get("/en/dashboard/").status_code == 200

        _timed_statements(call, "one dashboard")
        _cpu_and_profile(call, "dashboard", REQUESTS // 4)


def api() -> None:
    """One remaining-data call of the app API (usage-consumption, a bearer token, in process): its statements with
    their times, CPU per call without the profiler, then the profile of REQUESTS // 2 calls. Demo data at
    PROFILE_API_SCALE connections per company (default 50)."""
    from django.test import Client, override_settings

    from selfcare.bench.oidc_tokens import _tokens
    from selfcare.demo import dataset
    from selfcare.demo.loader import load_demo

    load_demo(scale=int(os.environ.get("PROFILE_API_SCALE", 50)))
    token = _tokens(dataset.PERSONS[0].personal_code, 1)[0]["access_token"]
    client = Client(headers={"Authorization": f"Bearer {token}"})
    with override_settings(DEBUG=False, RATELIMIT_API_TOKEN="1000000/60"):  # noqa: S106 - a rate, not a secret
        company = next(c for c in client.get("/api/v1/me").json()["contexts"] if c["kind"] == "company")
        first = client.get(f"{company['href']}/connections?limit=1").json()[0]
        url = f"{first['href']}/usage-consumption"

        def call() -> None:
            assert client.get(url).status_code == 200

        _timed_statements(call, "one remaining-data call")
        _cpu_and_profile(call, "remaining-data call", REQUESTS // 2)


def page() -> None:
    """One connection page in the browser (a private connection of a demo person, a logged-in session, in process):
    its statements with their times, CPU per page without the profiler, then the profile of REQUESTS // 4 pages.
    The same figures for a company's connection page and its connection list are printed first (the load's other
    pages); `PROFILE_PAGE=company` or `list` profiles one of those instead."""
    from django.test import Client, override_settings

    from selfcare.customers.models import Connection
    from selfcare.demo import dataset
    from selfcare.demo.loader import load_demo
    from selfcare.identity.methods.base import VerifiedIdentity
    from selfcare.identity.services import identity_for

    load_demo(scale=int(os.environ.get("PROFILE_API_SCALE", 50)))
    anna = dataset.PERSONS[0]
    code = anna.personal_code.replace("-", "")
    identity = identity_for(VerifiedIdentity("smartid", "LV", code, "ANNA", "BĒRZIŅA", "qualified", {}))
    connection = Connection.objects.filter(account__holder_personal_code=code, account__kind="private").first()
    assert connection is not None
    client = Client()
    client.force_login(identity.user)
    url = f"/en/acting/private/connections/{connection.pk}/"
    with override_settings(DEBUG=False):

        def call() -> None:
            assert client.get(url).status_code == 200

        call()  # the session's first write
        company = Connection.objects.filter(account__company__isnull=False, account__kind="business").first()
        assert company is not None
        others = {
            "company": f"/en/acting/company-{company.account.company_id}/connections/{company.pk}/",
            "list": f"/en/acting/company-{company.account.company_id}/connections/",
        }
        for name, other in others.items():

            def other_call(other: str = other) -> None:
                assert client.get(other).status_code == 200

            _timed_statements(other_call, f"one {name} page")
            _cpu(other_call, f"{name} page")
        wanted = os.environ.get("PROFILE_PAGE", "")
        if wanted in others:
            url = others[wanted]
        _timed_statements(call, "one connection page")
        _cpu_and_profile(call, "connection page", REQUESTS // 4)


def smartid() -> None:
    """The Smart-ID status call of a notification login, as `make load` drives it (the HTMX poll), against the
    simulator service in a thread of this process (the test PKI, its OCSP responder; the phone of one demo person
    confirms by itself, another's never answers). Its statements, then the portal thread's CPU per call (thread
    clock: the simulator's thread is not counted) for a poll that learns "still running" and for the poll that
    completes the login (a browser new to the person, as every fresh locust user is), without the profiler; then
    the profile of PROFILE_LOGINS (default REQUESTS // 4) completing polls on the thread's CPU clock
    (`PROFILE_SMARTID=running` profiles the running poll instead). Run it with LOG_LEVEL=WARNING, as `make load`
    runs the portal (at INFO every request to the simulator is logged)."""
    from django.conf import settings
    from django.test import Client, override_settings
    from django.test.testcases import LiveServerThread

    from selfcare.demo import dataset
    from selfcare.demo.loader import load_demo
    from selfcare.simulators.pki.demo import ensure_demo_pki
    from selfcare.simulators.testing import simulators_static_handler

    load_demo(scale=int(os.environ.get("PROFILE_API_SCALE", 50)), usage=False)
    ensure_demo_pki()
    server = LiveServerThread("localhost", static_handler=simulators_static_handler)  # type: ignore[arg-type]
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    url = f"http://localhost:{server.port}"
    confirming, waiting = dataset.PERSONS[0].personal_code, dataset.PERSONS[1].personal_code
    htmx = {"HX-Request": "true"}
    try:
        with override_settings(
            DEBUG=False,
            SELFCARE_SIMULATORS_URL=url,
            REVOCATION_URL_MAP={"http://pki.selfcare.test": f"{url}/simulators/pki"},
            SMARTID_SIM_AUTO_CONFIRM=[confirming],
            SMARTID_PUSH_FOR_EVERYONE=True,
            # Every login from one address and for one code, as many as the profile needs.
            RATE_LIMITS={**settings.RATE_LIMITS, "login-address": (10**6, 600), "login-code": (10**6, 600)},
        ):
            assert [confirming] == settings.SMARTID_SIM_AUTO_CONFIRM

            def started(code: str) -> Client:
                browser = Client()
                answer = browser.post("/en/login/smart-id/notification/", {"personal_code": code.replace("-", "")})
                assert answer.status_code == 302, answer
                assert answer["Location"] == "/en/login/smart-id/wait/", answer
                return browser

            def poll(browser: Client, *, completes: bool) -> float:
                cpu = time.thread_time()
                answer = browser.post("/en/login/smart-id/status/", headers=htmx)
                cpu = time.thread_time() - cpu
                assert answer.status_code == 200, answer
                assert ("HX-Redirect" in answer) == completes, answer.headers
                assert "/login/" not in answer.get("HX-Redirect", ""), answer.headers
                return cpu

            running_browser = started(waiting)
            logins = int(os.environ.get("PROFILE_LOGINS", REQUESTS // 4))
            browsers = [started(confirming) for _ in range(logins * 2 + 2)]
            _timed_statements(lambda: poll(running_browser, completes=False), "one running poll")
            _timed_statements(lambda: poll(browsers.pop(), completes=True), "one completing poll")
            running = [poll(running_browser, completes=False) for _ in range(int(os.environ.get("PROFILE_POLLS", 8)))]
            completing = [poll(browsers.pop(), completes=True) for _ in range(logins)]
            print(
                f"status poll, still running: {sum(running) / len(running) * 1000:.2f} ms CPU each "
                f"({len(running)} polls, portal thread, without the profiler)\n"
                f"status poll, completing the login: {sum(completing) / len(completing) * 1000:.2f} ms CPU each "
                f"(median {sorted(completing)[len(completing) // 2] * 1000:.2f}; {len(completing)} logins), "
                f"load average {os.getloadavg()[0]:.2f}",
                flush=True,
            )
            # The portal thread's CPU clock: most of a completing poll's wall time is waiting (commits, the simulator).
            profile = cProfile.Profile(time.thread_time)
            if os.environ.get("PROFILE_SMARTID") == "running":
                profile.enable()
                for _ in range(len(running)):
                    poll(running_browser, completes=False)
                profile.disable()
                _print_profile(profile, "smartid running poll")
            else:
                profile.enable()
                while browsers:
                    poll(browsers.pop(), completes=True)
                profile.disable()
                _print_profile(profile, "smartid completing poll")
    finally:
        server.terminate()
        server.join()


def _cpu_and_profile(action: Callable[[], object], title: str, runs: int) -> None:
    """`action`'s CPU per call without the profiler, then the profile of `runs` calls."""
    _cpu(action, title)
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(runs):
        action()
    profile.disable()
    _print_profile(profile, title)


def _timed_statements(action: Callable[[], object], title: str) -> None:
    from django.db import connection

    timings: list[tuple[str, float]] = []

    def clock(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append((" ".join(sql.split())[:150], time.perf_counter() - started))

    with connection.execute_wrapper(clock):
        action()
    print(f"statements of {title}: {len(timings)}, {sum(t for _s, t in timings) * 1000:.1f} ms")
    for sql, seconds in timings:
        print(f"  {seconds * 1000:8.2f} ms  {sql}")


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "selfcare.settings")
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("SELFCARE_DEMO", "true")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    paths = {"tokens": tokens, "ingest": ingest, "dashboard": dashboard, "api": api, "page": page, "smartid": smartid}
    wanted = sys.argv[1:] or list(paths)
    creation = connection.creation
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict["TEST"]["NAME"] = (
        None if connection.vendor != "sqlite" else str(os.path.join("var", "profile.sqlite3"))
    )
    creation.create_test_db(verbosity=0, autoclobber=True)
    moment = f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC"
    print(f"profile on {connection.vendor}, {moment}, load average {os.getloadavg()}")
    try:
        for name in wanted:
            paths[name]()
    finally:
        creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
