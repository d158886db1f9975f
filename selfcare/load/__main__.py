"""`make load` (`python -m selfcare.load`): the portal under load on PostgreSQL + Redis with several processes.

1. A fresh database (`LOAD_DATABASE_URL`, default `postgres://postgres@127.0.0.1:5432/selfcare_load`, dropped and
   created again: it belongs to the load test only) and an emptied Redis database (`LOAD_REDIS_URL`, default
   `redis://127.0.0.1:6379/15`, flushed: the same).
2. Migrations and the demo data; a usage feed key when the usage feed exists.
3. The portal under gunicorn (several worker processes with threads) and, as a separate server the way a real
   provider is, the simulator service (selfcare/simulators/settings.py) under its own gunicorn; both on the same
   database and Redis.
4. locust headless (`selfcare/load/locustfile.py`) for the duration with the number of users asked for.
5. The report: throughput, p95/p99 per kind of request and in all, errors; then every usage event the feed
   acknowledged is counted back in the database.

Exits non-zero on any failed request, any acknowledged event missing from the database, or a server that did not
start. The portal runs with production's settings (DEBUG off); only the demo switch is on, for the demo data and
the simulators, and plain http on this machine (SELFCARE_HTTPS off).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import runpy
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
import redis

from selfcare.load import cpu, machine

ROOT = Path(__file__).resolve().parents[2]
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
AUTO_CONFIRM = ("150385-12346", "220790-18761")  # Anna and Pēteris: they have connections to look at


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m selfcare.load", description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--spawn-rate", type=float, default=20)
    parser.add_argument("--duration", default="60s", help="locust's --run-time, e.g. 60s or 2m")
    # Production's shape, read from deploy/gunicorn.conf.py (WEB_CONCURRENCY processes, two per core, of
    # GUNICORN_THREADS threads, 2), so the run measures the portal as it is deployed; docs/deployment.md "How many"
    # has the shapes measured.
    production = production_settings()
    parser.add_argument("--workers", type=int, default=production["workers"], help="portal gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=production["threads"], help="threads per portal worker")
    parser.add_argument("--port", type=int, default=8170)
    parser.add_argument("--report-dir", type=Path, default=ROOT / "var" / "load")
    return parser.parse_args(argv)


def fresh_database(url: str) -> None:
    """Drop and create the load test's own database on the server (never any other)."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name) or "load" not in name:
        raise SystemExit(f"refusing to recreate database {name!r}: its name must contain 'load'")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter and command
        [sys.executable, "-m", "selfcare", *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"selfcare {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _usage_feed_exists(env: dict[str, str]) -> bool:
    return (
        "feed-key"
        in subprocess.run(
            [sys.executable, "-m", "selfcare", "usage", "--help"], env=env, cwd=ROOT, capture_output=True, text=True
        ).stdout
    )


def production_settings() -> dict[str, Any]:
    """deploy/gunicorn.conf.py's settings as production's gunicorn reads them (with this environment's
    WEB_CONCURRENCY and GUNICORN_THREADS, if set)."""
    return runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))


def production_keepalive() -> int:
    """Production's keep-alive (`keepalive`): the load balancer keeps its connections open, and gunicorn's default
    of 2 s closed most of the simulated people's between two pages (they wait 1-3 s), so each page paid a new
    connection in the portal and in locust that production does not pay."""
    return int(production_settings()["keepalive"])


def gunicorn_command(*, port: int, workers: int, threads: int, config: str = "") -> list[str]:
    """The command line of a gunicorn serving the portal (or the simulator service) on 127.0.0.1:port."""
    keepalive = production_keepalive()
    return [
        sys.executable, "-m", "gunicorn", "selfcare.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
        "--timeout", "60", "--graceful-timeout", "10", "--no-control-socket", "--keep-alive", str(keepalive),
        *(["--config", config] if config else []),
    ]  # fmt: skip


@contextmanager
def gunicorn(
    env: dict[str, str],
    *,
    port: int,
    workers: int,
    threads: int,
    log: Path,
    settings_module: str = "selfcare.settings",
    config: str = "",
) -> Iterator[None]:
    """A gunicorn serving the portal (or, with the simulators' settings, the simulator service) on 127.0.0.1:port
    until the block ends (stopped by its own process id)."""
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603
            gunicorn_command(port=port, workers=workers, threads=threads, config=config),
            env={**env, "DJANGO_SETTINGS_MODULE": settings_module}, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            _wait_until_up(f"http://127.0.0.1:{port}/healthz", process)
            yield
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    for _ in range(120):
        if process.poll() is not None:
            raise SystemExit(f"gunicorn for {url} exited with {process.returncode}: see its log in var/load/")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{url} did not answer in 60 s")


def _warm_up(port: int, rounds: int) -> None:
    """A few complete logins in parallel before measuring: each worker process loads its URLs, templates and
    eID configuration on its first requests, as a production server has long done before its busy hour."""

    def one_login(round_number: int) -> None:
        # An address of its own, as each locust user has: one address would soon meet the per-address login limit.
        address = {
            "X-Forwarded-For": f"10.255.{round_number // 250}.{round_number % 250 + 1}",
            cpu.WARM_UP_HEADER: "1",  # not counted in the CPU table
        }
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60, headers=address) as client:
            page = client.get("/en/login/smart-id/").text
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
            data = {"csrfmiddlewaretoken": token.group(1) if token else "", "personal_code": AUTO_CONFIRM[0]}
            client.post("/en/login/smart-id/notification/", data=data)
            client.post("/en/login/smart-id/status/", headers={"X-CSRFToken": data["csrfmiddlewaretoken"]})
            client.get("/en/dashboard/")

    with ThreadPoolExecutor(max_workers=rounds) as pool:
        for future in [pool.submit(one_login, number) for number in range(rounds * 3)]:
            future.result()


def _stats(report_dir: Path) -> list[dict[str, str]]:
    with (report_dir / "stats_stats.csv").open() as file:
        return list(csv.DictReader(file))


def _print_stats(rows: list[dict[str, str]]) -> dict[str, str]:
    print(f"\n{'request':<28}{'count':>8}{'failed':>8}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}")
    total: dict[str, str] = {}
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "ALL"
        if row["Name"] == "Aggregated":
            total = row
        print(
            f"{name[:27]:<28}{row['Request Count']:>8}{row['Failure Count']:>8}{float(row['Requests/s']):>8.1f}"
            f"{row['50%']:>8}{row['95%']:>8}{row['99%']:>8}"
        )
    return total


def _print_cpu(kinds: dict[str, tuple[int, float]]) -> None:
    """The portal's CPU milliseconds per request, by URL pattern (the workers' own Python; the database's and
    locust's CPU are not in it), the costliest in total first."""
    if not kinds:
        return
    print(f"\n{'portal CPU per request, by URL':<52}{'count':>8}{'CPU ms':>9}{'share':>8}")
    everything = sum(seconds for _count, seconds in kinds.values()) or 1.0
    for kind, (count, seconds) in sorted(kinds.items(), key=lambda item: -item[1][1]):
        print(f"{kind[:51]:<52}{count:>8}{seconds / max(count, 1) * 1000:>9.1f}{seconds / everything:>8.0%}")
    requests = sum(count for count, _seconds in kinds.values())
    print(f"{'all':<52}{requests:>8}{everything / max(requests, 1) * 1000:>9.1f}")


def _events_in_database(database_url: str, run: str) -> int:
    with psycopg.connect(database_url) as connection:
        row = connection.execute(
            "SELECT count(*) FROM usage_usageevent WHERE source_key LIKE %s", [f"load:{run}:%"]
        ).fetchone()
    return int(row[0]) if row else 0


def _msisdns(database_url: str) -> list[str]:
    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT msisdn FROM customers_connection WHERE status <> 'terminated' ORDER BY id LIMIT 500"
        ).fetchall()
    return [str(row[0]) for row in rows]


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    database_url = os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/selfcare_load")
    redis_url = os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/15")
    database_name = urlsplit(database_url).path.lstrip("/")
    report_dir: Path = args.report_dir
    report_dir.mkdir(parents=True, exist_ok=True)
    run = uuid.uuid4().hex[:8]
    simulator_port = args.port + 1

    print(f"Fresh database {urlsplit(database_url).path.lstrip('/')}, Redis {redis_url} emptied")
    fresh_database(database_url)
    redis.Redis.from_url(redis_url).flushdb()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "DEBUG": "false",
        "SELFCARE_DEMO": "true",
        "SELFCARE_HTTPS": "false",
        "SELFCARE_PORTAL_URL": f"http://127.0.0.1:{args.port}",
        "SELFCARE_SIMULATORS_URL": f"http://127.0.0.1:{simulator_port}",
        "SMARTID_SIM_AUTO_CONFIRM": ",".join(AUTO_CONFIRM),
        "LOG_LEVEL": "WARNING",
        # The simulator shares this machine's cores with the portal and locust; the production timeout (5 s) is
        # meant for SK's own service, and a login failing because our stand-in was slow would not be the portal's.
        "SMARTID_CONNECT_TIMEOUT": "20",
        # The portal sits behind a proxy as in production, and each simulated person comes from an address of its
        # own (locustfile: X-Forwarded-For), so the per-address login limit applies per person, as it would.
        "TRUSTED_PROXY_COUNT": "1",
        # A few demo persons stand in for thousands of people: each logs in far more often than one person could,
        # so the per-code login limit (10 starts in 10 minutes) would refuse the mix rather than measure it.
        "RATELIMIT_LOGIN_CODE": "1000000/600",
        # The simulated people log in with their personal code (Smart-ID's push) as returning people do in a
        # browser that knows them; a fresh locust user has no known-device cookie, and without this the portal
        # (rightly) offers it only the device link, which a load script cannot scan.
        "SMARTID_PUSH_FOR_EVERYONE": "true",
        # Its own test PKI, made before any server starts (below).
        "SELFCARE_PKI_DIR": str(report_dir / "pki"),
    }
    print("Migrations and demo data…")
    _manage(env, "migrate", "--no-input", "-v", "0")
    _manage(env, "demo_data")
    # The test PKI and the load persons' certificates are made once here: several server processes making them at
    # the same first moment would each write their own CA, and the portal would trust another CA than the
    # simulator signs with.
    _manage(env, "shell", "-c", "from selfcare.simulators.smartid import accounts, pki\n"
            "from selfcare.simulators.pki.demo import ensure_demo_pki\nensure_demo_pki()\n"
            "for account in accounts.ACCOUNTS: pki.credentials(account)")  # fmt: skip
    feed_key = ""
    if _usage_feed_exists(env):
        found = re.search(r"\buf_[A-Za-z0-9_-]+", _manage(env, "usage", "feed-key", "create", f"load-{run}"))
        feed_key = found.group(0) if found else ""
    locust_env = {
        **env,
        "LOAD_RUN": run,
        "LOAD_REPORT_DIR": str(report_dir),
        "LOAD_PERSONS": ",".join(code.replace("-", "") for code in AUTO_CONFIRM),
        "LOAD_FEED_KEY": feed_key,
        "LOAD_MSISDNS": ",".join(_msisdns(database_url)) if feed_key else "",
    }
    (report_dir / "feed.json").unlink(missing_ok=True)
    for stale in [*report_dir.glob("cpu-*.json"), *report_dir.glob("gc-*.json"), *report_dir.glob("profile-*.prof")]:
        stale.unlink()
    print(
        f"Portal: gunicorn, {args.workers} workers x {args.threads} threads on :{args.port}; simulator service on "
        f":{simulator_port}; locust: {args.users} users for {args.duration}"
        + ("; usage feed on" if feed_key else "; usage feed API not present: no ingestion in the mix")
    )
    with (
        gunicorn(
            env,
            port=simulator_port,
            workers=1,
            threads=8,
            log=report_dir / "simulator.log",
            settings_module="selfcare.simulators.settings",
        ),
        gunicorn(
            {**env, "LOAD_REPORT_DIR": str(report_dir)},
            port=args.port,
            workers=args.workers,
            threads=args.threads,
            log=report_dir / "portal.log",
            config="python:selfcare.load.cpu",  # CPU time per kind of request (cpu.py)
        ),
    ):
        _warm_up(args.port, args.workers * args.threads)
        groups = {
            "portal (gunicorn)": lambda command: "gunicorn" in command and f"127.0.0.1:{args.port} " in command,
            "simulator service (gunicorn)": lambda command: (
                "gunicorn" in command and f"127.0.0.1:{simulator_port} " in command
            ),
            # locust has ended by the second reading: its CPU is this process's waited-for children's.
            "locust": lambda command: False,
            "PostgreSQL": lambda command: command.startswith(("postgres", "/usr/lib/postgresql")),
            "Redis": lambda command: "redis-server" in command,
        }
        # PostgreSQL's group is every database's: other work on this machine is in it, and a backend that ends during
        # the run (a connection at its maximum age) is counted in the postmaster's, whoever's it was. The load
        # database's own backends are sampled while the run lasts instead.
        load_backends = machine.Sampler(
            lambda command: command.startswith("postgres: ") and f" {database_name} " in command
        )
        before, started = machine.snapshot(groups, children="locust"), time.monotonic()
        with load_backends:
            locust = subprocess.run(  # noqa: S603
                [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--users", str(args.users),
                 "--spawn-rate", str(args.spawn_rate), "--run-time", args.duration, "--host",
                 f"http://127.0.0.1:{args.port}", "--csv", str(report_dir / "stats"), "--only-summary",
                 "--stop-timeout", "10", "--loglevel", "WARNING"],
                env=locust_env, cwd=ROOT, check=False,
            )  # fmt: skip
        after, elapsed = machine.snapshot(groups, children="locust"), time.monotonic() - started
    total = _print_stats(_stats(report_dir))
    kinds = cpu.collected(report_dir)
    _print_cpu(kinds)
    cpu.print_collections(report_dir, sum(count for count, _seconds in kinds.values()))
    requests = int(total.get("Request Count", "0") or 0)
    print("\n".join(machine.report(before, after, requests, elapsed)))
    own = load_backends.seconds / max(requests, 1) * 1000
    label = "of PostgreSQL: the load database's own backends (sampled)"
    print(f"{label:<52}{own:>9.1f}")
    cpu.print_profile(report_dir)
    failures = int(total.get("Failure Count", "0") or 0)
    problems = []
    if failures:
        problems.append(f"{failures} requests failed (see {report_dir}/stats_failures.csv)")
    if locust.returncode not in (0, 1):
        problems.append(f"locust exited with {locust.returncode}")
    if feed_key:
        sent = json.loads((report_dir / "feed.json").read_text())
        recorded = _events_in_database(database_url, run)
        lost = max(sent["events"] - recorded, 0)
        print(
            f"\nUsage feed: {sent['events']} events acknowledged in {sent['batches']} batches, {recorded} in the "
            f"database, lost {lost}"
        )
        if lost:
            problems.append(f"{lost} acknowledged usage events are missing from the database")
    print(
        f"\nThroughput {float(total.get('Requests/s', 0)):.1f} requests/s, p95 {total.get('95%')} ms, "
        f"p99 {total.get('99%')} ms, errors {failures}"
    )
    for problem in problems:
        print(f"FAIL: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
