"""The OpenID provider's token endpoint and the app API, measured against a real server process.

A gunicorn process (2 workers × 4 threads, the size of a 2-core box) serves the bench database. Token endpoint
throughput: THREADS clients each keep one refresh-token family alive, refreshing it in a loop (every request
rotates the token: a database write of a revoked token, a new access token, refresh token and signed ID token),
for SECONDS; then the same clients exchange authorization codes (each a real code of the demo app: its grant and
client login as the authorization endpoint stores them, with PKCE S256) for SECONDS. The floor is the same clients
fetching the trivial `/brand.css` from the same server. The peer is django-oauth-toolkit at its defaults in a
minimal project (`selfcare/bench/dot_peer/`), on a database of its own on the same server and the same gunicorn,
doing the same two grants (without ID tokens: OIDC is off by default). Targets (DESIGN.md): ≥ 300 token requests/s
on 2 cores and ≥ 4× the peer. API: p95 of one page of a company's connections (2,500 or more) with a bearer token,
and of one connection's remaining data (usage-consumption: buckets, gifts and the cycle's daily use), against the
same floor's p95 (target ≤ 20 ms). The settings are the demo's, as in the rest of `make bench` (DEBUG off).
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from django.db import connection
from django.test import Client

from selfcare.bench import Report, p95
from selfcare.bench.wire import WireClient
from selfcare.demo import dataset
from selfcare.demo.loader import load_demo
from selfcare.identity.methods.base import VerifiedIdentity
from selfcare.identity.services import SESSION_LAST_SEEN, SESSION_LEVEL, SESSION_LOGIN_AT, SESSION_METHOD, identity_for
from selfcare.load import machine

THREADS = 8
SECONDS = 10.0
CODES_PER_CLIENT = 1500  # more than a client can exchange in SECONDS at the target rate
REDIRECT_URI = "http://127.0.0.1:9/callback"
API_RUNS = 300
PER_COMPANY = 2500
ROOT = Path(__file__).resolve().parents[2]
CLIENT_CPU_MS: dict[str, float] = {}  # the bench's own CPU per request, by run
SERVER_CPU_MS: dict[str, dict[str, float]] = {}  # the server's and the database's CPU per request, by run


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _database_url(name: str | None = None) -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        path = Path(settings["NAME"]).resolve()
        return f"sqlite:///{path if name is None else path.with_name(name + '.sqlite3')}"
    return (
        f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{name or settings['NAME']}"
    )


@contextmanager
def _server(settings_module: str = "selfcare.settings", database_url: str = "") -> Iterator[str]:
    port = _free_port()
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DATABASE_URL": database_url or _database_url(),
        # One token makes ~1,000 calls here in well under a minute: the limit is still counted on every call (its
        # cost is in the figures) but set high enough not to refuse them.
        "RATELIMIT_API_TOKEN": "1000000/60",
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "selfcare.wsgi:application"
        if settings_module == "selfcare.settings"
        else "django.core.wsgi:get_wsgi_application()",
        "--workers",
        "2",
        "--threads",
        "4",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 - our interpreter, our app
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code in (200, 404):
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def _tokens(identity_code: str, count: int) -> list[dict[str, str]]:
    """`count` independent logins of the demo app for one person, each with its own refresh-token family."""
    import base64
    import hashlib
    import secrets
    from urllib.parse import parse_qs, urlencode, urlparse

    person = next(p for p in dataset.PERSONS if p.personal_code == identity_code)
    given, family = person.name.split(" ", 1)
    identity = identity_for(
        VerifiedIdentity("smartid", "LV", identity_code.replace("-", ""), given, family, "qualified", {})
    )
    browser = Client()
    browser.force_login(identity.user)
    session = browser.session
    session.update(
        {
            SESSION_METHOD: "smartid",
            SESSION_LEVEL: "qualified",
            SESSION_LOGIN_AT: time.time(),
            SESSION_LAST_SEEN: time.time(),
        }
    )
    session.save()
    tokens = []
    for _ in range(count):
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        query = {
            "response_type": "code",
            "client_id": dataset.DEMO_APP_CLIENT_ID,
            "scope": dataset.DEMO_APP_SCOPES,
            "redirect_uri": "http://127.0.0.1:9/callback",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "state": "s",
        }
        location = browser.get("/oauth/authorize/?" + urlencode(query))["Location"]
        code = parse_qs(urlparse(location).query)["code"][0]
        answer = browser.post(
            "/oauth/token/",
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": "http://127.0.0.1:9/callback",
                "client_id": dataset.DEMO_APP_CLIENT_ID,
                "code_verifier": verifier,
            },
        )
        tokens.append(json.loads(answer.content))
    return tokens


def _throughput(
    label: str, base: str, work: Callable[[WireClient, dict[str, Any]], bool], states: list[dict[str, Any]]
) -> float:
    """Requests per second of THREADS clients, each calling `work` in a loop for SECONDS (or until `work` says
    it has nothing left to send). The bench process's own CPU per request (the clients' share of the two cores) is
    added to CLIENT_CPU_MS under `label`, for the report."""
    counts = [0] * len(states)
    stop = time.perf_counter() + SECONDS
    ended = [0.0] * len(states)

    def loop(index: int) -> None:
        with WireClient(base) as client:
            while time.perf_counter() < stop and work(client, states[index]):
                counts[index] += 1
        ended[index] = time.perf_counter()

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(len(states))]
    port = base.rsplit(":", 1)[1]
    groups = {
        "server": lambda command: "gunicorn" in command and f"127.0.0.1:{port} " in command,
        # A backend's command line names its database ("postgres: user database host(port) state"): the bench's
        # and the peer's (named after it) connections, then the server's own processes (WAL writer, checkpointer…).
        "PostgreSQL, these connections": lambda command: (
            command.startswith("postgres: ") and f" {connection.settings_dict['NAME']}" in command
        ),
        "PostgreSQL, its own processes": lambda command: (
            command.startswith("/usr/lib/postgresql") or (command.startswith("postgres: ") and "(" not in command)
        ),
    }
    before = machine.snapshot(groups)
    started, cpu = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    requests = max(1, sum(counts))
    CLIENT_CPU_MS[label] = (time.process_time() - cpu) * 1000 / requests
    after = machine.snapshot(groups)
    # On a database server elsewhere only the server's share is read here; "other" is anything else on this
    # machine (another job's work shows there, not in the server's figure).
    SERVER_CPU_MS[label] = {
        group: (after.by_group[group] - before.by_group[group]) * 1000 / requests for group in after.by_group
    }
    return sum(counts) / (max(ended) - started)


def _codes(count: int) -> list[dict[str, str]]:
    """`count` authorization codes of the demo app for Anna, stored as the authorization endpoint stores them (a
    grant with its PKCE challenge, and the client login with the eID method), in two statements."""
    import base64
    import hashlib
    import secrets

    from django.utils import timezone
    from oauth2_provider.models import Application, Grant

    from selfcare.channels.models import ClientLogin
    from selfcare.channels.oidc.validator import code_digest
    from selfcare.identity.models import DigitalIdentity

    application = Application.objects.get(client_id=dataset.DEMO_APP_CLIENT_ID)
    person = dataset.PERSONS[0]
    identity = DigitalIdentity.objects.get(identifiers__code=person.personal_code.replace("-", ""))
    now = timezone.now()
    grants, logins, presented = [], [], []
    for _ in range(count):
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        code = secrets.token_urlsafe(30)
        grants.append(
            Grant(
                application=application,
                user=identity.user,
                code=code,
                # Long enough for the whole bench: the endpoint checks expiry, not how it was set.
                expires=now + datetime.timedelta(minutes=30),
                redirect_uri=REDIRECT_URI,
                scope=dataset.DEMO_APP_SCOPES,
                code_challenge=challenge,
                code_challenge_method="S256",
                nonce="n",
            )
        )
        logins.append(
            ClientLogin(
                code_digest=code_digest(code),
                application=application,
                identity=identity,
                auth_time=now,
                method="smartid",
                level="qualified",
            )
        )
        presented.append({"code": code, "verifier": verifier})
    Grant.objects.bulk_create(grants, batch_size=2000)
    ClientLogin.objects.bulk_create(logins, batch_size=2000)
    return presented


def _grants(
    base: str, token_path: str, client_id: str, refresh_tokens: list[str], codes: list[dict[str, str]]
) -> tuple[float, float]:
    """Requests/s of the refresh grant (each client rotating its own family) and of the code grant (each client
    exchanging its share of `codes`) against one server."""

    def refresh(client: WireClient, state: dict[str, Any]) -> bool:
        status, body = client.post_form(
            token_path,
            {"grant_type": "refresh_token", "refresh_token": state["refresh_token"], "client_id": client_id},
        )
        assert status == 200, body
        state["refresh_token"] = json.loads(body)["refresh_token"]
        return True

    def exchange(client: WireClient, state: dict[str, Any]) -> bool:
        if not state["codes"]:
            return False
        presented = state["codes"].pop()
        status, body = client.post_form(
            token_path,
            {
                "grant_type": "authorization_code",
                "code": presented["code"],
                "redirect_uri": REDIRECT_URI,
                "client_id": client_id,
                "code_verifier": presented["verifier"],
            },
        )
        assert status == 200, body
        return True

    refresh_rps = _throughput(
        f"{token_path} refresh", base, refresh, [{"refresh_token": token} for token in refresh_tokens]
    )
    share = len(codes) // len(refresh_tokens)
    code_rps = _throughput(
        f"{token_path} code",
        base,
        exchange,
        [{"codes": codes[i * share : (i + 1) * share]} for i in range(len(refresh_tokens))],
    )
    return refresh_rps, code_rps


@contextmanager
def _peer_database() -> Iterator[str]:
    """A database of the peer's own on the same server (a file beside the bench's on SQLite), dropped after."""
    name = f"{connection.settings_dict['NAME']}_dotpeer"
    url = _database_url(name)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url
    finally:
        if connection.vendor == "postgresql":
            connection.close()  # the peer's server has ended; nothing else holds the database
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)


def _peer(report_rows: list[tuple[str, float]]) -> None:
    """The peer's refresh and code grant figures, appended to `report_rows`."""
    with _peer_database() as url:
        env = os.environ | {"DJANGO_SETTINGS_MODULE": "selfcare.bench.dot_peer.settings", "DATABASE_URL": url}
        command = [sys.executable, "-m", "selfcare.bench.dot_peer.setup", str(THREADS), str(THREADS * CODES_PER_CLIENT)]
        done = subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True)  # noqa: S603
        made = json.loads(done.stdout)
        with _server("selfcare.bench.dot_peer.settings", url) as base:
            refresh_rps, code_rps = _grants(base, "/o/token/", "peer-app", made["refresh_tokens"], made["codes"])
    report_rows += [("refresh", refresh_rps), ("code", code_rps)]


def _latencies(base: str, path: str, headers: dict[str, str]) -> list[float]:
    with WireClient(base) as client:
        client.get(path, headers)
        samples = []
        for _ in range(API_RUNS):
            started = time.perf_counter()
            status, _body = client.get(path, headers)
            samples.append((time.perf_counter() - started) * 1000)
            assert status == 200, status
    return samples


def run(report: Report) -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request otherwise
    load_demo(scale=PER_COMPANY)
    anna = dataset.PERSONS[0].personal_code
    states = _tokens(anna, THREADS + 1)
    api_token = states.pop()["access_token"]
    with _server() as base:
        with httpx.Client(timeout=30) as client:
            me = client.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {api_token}"}).json()
            company = next(c for c in me["contexts"] if c["kind"] == "company")
            # Earlier benchmarks of the run may have grown the companies: report the size measured.
            size = client.get(
                f"{base}{company['href']}/connections?limit=1", headers={"Authorization": f"Bearer {api_token}"}
            ).headers["X-Total-Count"]
            api = _latencies(
                base,
                f"{company['href']}/connections?limit=20&offset=1000",
                {"Authorization": f"Bearer {api_token}"},
            )
            search = _latencies(
                base, f"{company['href']}/connections?limit=20&q=25", {"Authorization": f"Bearer {api_token}"}
            )
            first = client.get(
                f"{base}{company['href']}/connections?limit=1", headers={"Authorization": f"Bearer {api_token}"}
            ).json()[0]
            usage = _latencies(base, f"{first['href']}/usage-consumption", {"Authorization": f"Bearer {api_token}"})
            bare = _latencies(base, "/brand.css", {})
        report.ratio(f"API connections page p95, {size} in the company", product=p95(api), floor=p95(bare), unit="ms")
        report.ratio("API connections search p95", product=p95(search), floor=p95(bare), unit="ms")
        report.ratio(
            "API remaining data (usage-consumption) p95",
            product=p95(usage),
            floor=p95(bare),
            unit="ms",
            target="<= 20 ms",
        )

        def floor(client: WireClient, state: dict[str, Any]) -> bool:
            assert client.get("/brand.css")[0] == 200
            return True

        codes = _codes(THREADS * CODES_PER_CLIENT)
        floor_rps = _throughput("floor", base, floor, [{} for _ in states])
        refresh_rps, code_rps = _grants(
            base, "/oauth/token/", dataset.DEMO_APP_CLIENT_ID, [s["refresh_token"] for s in states], codes
        )
    report.note(f"  load average after the portal's token runs: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    for grant, product in (("refresh", refresh_rps), ("code", code_rps)):
        report.ratio(
            f"token endpoint, {grant} grant, {THREADS} clients",
            product=product,
            floor=floor_rps,
            unit="req/s",
            target=">= 300 req/s",
        )
    peer: list[tuple[str, float]] = []
    _peer(peer)
    peer_rps = dict(peer)
    report.note(f"  load average after the peer's token runs: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    for grant, product in (("refresh", refresh_rps), ("code", code_rps)):
        report.ratio(
            f"token endpoint, {grant} grant, against DOT defaults",
            product=product,
            floor=peer_rps[grant],
            unit="req/s",
            target="ratio >= 4",
        )
    report.note(
        "  the bench's own client CPU per request: "
        + ", ".join(f"{label} {ms:.2f} ms" for label, ms in CLIENT_CPU_MS.items())
    )
    report.note("  CPU ms per request on this machine (gunicorn's processes, PostgreSQL's, anything else):")
    for label, spent in SERVER_CPU_MS.items():
        report.note(f"    {label}: " + ", ".join(f"{group} {ms:.2f}" for group, ms in spent.items()))
