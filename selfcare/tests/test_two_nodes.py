"""Two portal nodes behind one (imagined) load balancer: what a person starts on one machine finishes on the other.

Two portal processes (gunicorn, DEBUG off, each with its own local folder `SELFCARE_VAR_DIR` and port) share one
database, one Redis and one S3-compatible object store, as docs/deployment.md says production does; the simulator
service runs as its own server, and two `selfcare worker` processes run the background tasks. The test talks HTTP
to them with one cookie jar, sending each request to the node the scenario names:

- a Smart-ID login started on node A completes while its waiting page is polled on node B;
- a power of attorney uploaded on A is downloaded by a mandate officer on B;
- the login rate limit counts the attempts made on both nodes together;
- a periodic task is enqueued and run once per slot while two workers tick at the same moments;
- a session ended (logout) on A is ended on B.

The database is PostgreSQL when DATABASE_URL names one (CI's second pass: a database of its own on that server,
`<name>_two_nodes`, dropped and made again), else a SQLite file in the test's folder: both engines serve several
processes. Redis is the one the suite uses (`REDIS_URL`, else 127.0.0.1:6379); without a Redis server the test is
skipped, saying so.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import httpx
import psycopg
import pytest

from selfcare.tests.clock import CLOCK_OPTION, moment_from_option
from selfcare.tests.conftest import _answers, redis_url_for_tests
from selfcare.tests.faults import closed_port
from selfcare.tests.objectstore import object_store

ROOT = Path(__file__).resolve().parents[2]
ANNA = "150385-12346"  # a demo customer
JANIS = "120478-11230"  # the demo board member of SIA Rīgas Kafija
ILZE = "32112233445"  # a demo mandate officer
PETERIS = "220790-18761"  # a demo person whose phone nobody answers: only the rate limit's attempts use him
LOGIN_LIMIT = 4  # login starts from one address in ten minutes, across both nodes
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

pytestmark = pytest.mark.timeout(600)


@dataclass
class Cluster:
    a: str
    b: str
    env: dict[str, str]

    def django(self, code: str) -> Any:
        """Run `code` (which sets `result`) in a fresh process on the nodes' database; its `result` as JSON."""
        script = f"import django, json\ndjango.setup()\n{code}\nprint(json.dumps(result))"
        done = _run([sys.executable, "-c", script], self.env)
        return json.loads(done.stdout.strip().splitlines()[-1])


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(  # noqa: S603 - our own interpreter and commands
        command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(command[:4])} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return done


def _database(tmp: Path) -> Iterator[str]:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres", "pgsql")):
        yield f"sqlite:///{tmp / 'two-nodes.sqlite3'}"
        return
    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/')}_two_nodes"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def _process(command: list[str], env: dict[str, str], log: Path, *, health: str | None) -> Iterator[None]:
    """A server or worker until the block ends, stopped by its own process id; `health` is waited for."""
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and commands
            command, env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 120
            while health is not None:
                if process.poll() is not None:
                    raise AssertionError(f"{command[2]} exited at start:\n{log.read_text()[-4000:]}")
                try:
                    if httpx.get(health, timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise AssertionError(f"{health} did not answer within 120 s")
                time.sleep(0.3)
            yield
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _gunicorn(port: int, settings_module: str = "selfcare.settings") -> list[str]:
    return [sys.executable, "-m", "gunicorn", "selfcare.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--workers", "1", "--worker-class", "gthread", "--threads", "4", "--timeout", "90",
            "--graceful-timeout", "5", "--no-control-socket",
            "--env", f"DJANGO_SETTINGS_MODULE={settings_module}"]  # fmt: skip


@pytest.fixture(scope="module")
def cluster(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    if moment_from_option(request.config.getoption(CLOCK_OPTION)):
        pytest.skip("the nodes are processes on the real clock: a travelled clock (--clock) would test nothing here")
    redis_url = redis_url_for_tests()
    if not _answers(redis_url):
        pytest.skip(f"two nodes share a Redis server, and none answers at {redis_url} (set REDIS_URL)")
    tmp = tmp_path_factory.mktemp("two-nodes")
    with ExitStack() as stack:
        database_url = stack.enter_context(contextmanager(_database)(tmp))
        store = stack.enter_context(object_store())
        port_a, port_b, simulators = closed_port(), closed_port(), closed_port()
        keep = {key: value for key, value in os.environ.items() if key in ("PATH", "HOME", "LANG", "TMPDIR")}
        env = (
            keep
            | store.environment()
            | {
                "DJANGO_SETTINGS_MODULE": "selfcare.settings",
                "DATABASE_URL": database_url,
                "REDIS_URL": redis_url,
                # Keys of this run only, in a Redis the suite shares: the counters start from zero.
                "RATELIMIT_KEY_PREFIX": f"selfcare:two-nodes:{uuid.uuid4().hex}:rl:",
                "DEBUG": "false",
                "SELFCARE_DEMO": "true",
                "SELFCARE_HTTPS": "false",
                "SELFCARE_VAR_DIR": str(tmp / "setup"),
                "SELFCARE_PORTAL_URL": f"http://127.0.0.1:{port_a}",
                "SELFCARE_SIMULATORS_URL": f"http://127.0.0.1:{simulators}",
                # Made once before any server starts and named for all: each node making its own would differ.
                "SELFCARE_PKI_DIR": str(tmp / "pki"),
                "OIDC_SIGNING_KEY_PATH": str(tmp / "oidc-signing-key.pem"),
                "OIDC_EC_SIGNING_KEY_PATH": str(tmp / "oidc-signing-key-p256.pem"),
                "SMARTID_SIM_AUTO_CONFIRM": ",".join((ANNA, JANIS, ILZE)),
                "SMARTID_CONNECT_TIMEOUT": "20",  # the simulator shares two busy cores with everything here
                # The login here starts from the personal code on a browser the nodes have not seen (the push flow,
                # which SK's recommended default offers only in a known browser): what crosses nodes is the same.
                "SMARTID_PUSH_FOR_EVERYONE": "true",
                # The nodes sit behind one proxy, which names each client's address (X-Forwarded-For).
                "TRUSTED_PROXY_COUNT": "1",
                "RATELIMIT_LOGIN_ADDRESS": f"{LOGIN_LIMIT}/600",
                "TASKS_BACKEND": "database",
                "LOG_LEVEL": "INFO",
            }
        )
        _run([sys.executable, "-m", "selfcare", "migrate", "--no-input", "-v", "0"], env)
        _run([sys.executable, "-m", "selfcare", "demo_data"], env)
        _run([sys.executable, "-m", "selfcare", "shell", "-c",
              "from selfcare.simulators.smartid import accounts, pki\n"
              "from selfcare.simulators.pki.demo import ensure_demo_pki\nensure_demo_pki()\n"
              "for account in accounts.ACCOUNTS: pki.credentials(account)"], env)  # fmt: skip

        def node(name: str) -> dict[str, str]:
            return env | {"SELFCARE_VAR_DIR": str(tmp / name)}  # a local folder of its own, shared with nobody

        stack.enter_context(
            _process(
                _gunicorn(simulators, "selfcare.simulators.settings"),
                env,
                tmp / "simulators.log",
                health=f"http://127.0.0.1:{simulators}/healthz",
            )
        )
        for name, port in (("node-a", port_a), ("node-b", port_b)):
            stack.enter_context(
                _process(_gunicorn(port), node(name), tmp / f"{name}.log", health=f"http://127.0.0.1:{port}/readyz")
            )
        yield Cluster(a=f"http://127.0.0.1:{port_a}", b=f"http://127.0.0.1:{port_b}", env=env)


def _browser(address: str) -> httpx.Client:
    """One browser (one cookie jar for 127.0.0.1, whatever the port) behind the proxy that names its address."""
    return httpx.Client(headers={"X-Forwarded-For": address}, timeout=60)


def _token(browser: httpx.Client, url: str) -> str:
    found = _CSRF.search(browser.get(url).text)
    assert found, f"no CSRF token on {url}"
    return found.group(1)


def _start_login(browser: httpx.Client, node: str, code: str) -> httpx.Response:
    token = _token(browser, f"{node}/en/login/smart-id/")
    return browser.post(
        f"{node}/en/login/smart-id/notification/", data={"csrfmiddlewaretoken": token, "personal_code": code}
    )


def _log_in(browser: httpx.Client, start_on: str, poll_on: str, code: str) -> str:
    """Start a Smart-ID login on one node and poll its waiting page on the other; where the portal sends the
    person once the phone confirmed (the simulated phone of these persons confirms by itself)."""
    started = _start_login(browser, start_on, code)
    assert started.status_code == 302, started.text[:500]
    assert started.headers["Location"] == "/en/login/smart-id/wait/"
    token = _token(browser, f"{poll_on}/en/login/smart-id/wait/")
    for _ in range(150):
        polled = browser.post(
            f"{poll_on}/en/login/smart-id/status/", headers={"HX-Request": "true", "X-CSRFToken": token}
        )
        assert polled.status_code == 200, polled.text[:500]
        if target := polled.headers.get("HX-Redirect"):
            assert "/login/" not in target, f"the login ended without success: {target}"
            return str(target)
        time.sleep(0.2)
    raise AssertionError("the login never ended")


def _dashboard_status(browser: httpx.Client, node: str) -> int:
    return browser.get(f"{node}/en/dashboard/").status_code


def test_a_smart_id_login_started_on_one_node_completes_while_polled_on_the_other(cluster: Cluster) -> None:
    with _browser("198.51.100.1") as browser:
        target = _log_in(browser, start_on=cluster.a, poll_on=cluster.b, code=ANNA)
        assert browser.get(f"{cluster.b}{target}").status_code == 200
        assert _dashboard_status(browser, cluster.a) == 200


def test_a_session_ended_on_one_node_is_ended_on_the_other(cluster: Cluster) -> None:
    with _browser("198.51.100.2") as browser:
        _log_in(browser, start_on=cluster.a, poll_on=cluster.a, code=ANNA)
        assert _dashboard_status(browser, cluster.b) == 200
        token = _token(browser, f"{cluster.a}/en/me/")
        browser.post(f"{cluster.a}/en/logout/", data={"csrfmiddlewaretoken": token})
        after = browser.get(f"{cluster.b}/en/dashboard/")
        assert after.status_code == 302
        assert "/login/" in after.headers["Location"]


def test_the_login_rate_limit_counts_attempts_made_on_both_nodes(cluster: Cluster) -> None:
    with _browser("198.51.100.3") as browser:
        for attempt in range(LOGIN_LIMIT):
            node = (cluster.a, cluster.b)[attempt % 2]
            assert _start_login(browser, node, PETERIS).status_code == 302
        refused_on_a = _start_login(browser, cluster.a, PETERIS)
        refused_on_b = _start_login(browser, cluster.b, PETERIS)
        assert (refused_on_a.status_code, refused_on_b.status_code) == (429, 429)
        assert int(refused_on_b.headers["Retry-After"]) > 0
    with _browser("198.51.100.4") as elsewhere:  # another address is counted apart
        assert _start_login(elsewhere, cluster.b, PETERIS).status_code == 302


def test_a_power_of_attorney_uploaded_on_one_node_is_downloaded_on_the_other(cluster: Cluster) -> None:
    with _browser("198.51.100.5") as janis:
        _log_in(janis, start_on=cluster.a, poll_on=cluster.a, code=JANIS)
        found = re.search(r"/en/acting/(representative-\d+)/", janis.get(f"{cluster.a}/en/dashboard/").text)
        assert found, "Jānis acts for his company"
        context = found.group(1)
        today = datetime.datetime.now(ZoneInfo("Europe/Riga")).date()
        new = f"{cluster.a}/en/acting/{context}/mandates/new/"
        created = janis.post(
            new,
            data={
                "csrfmiddlewaretoken": _token(janis, new),
                "attorney_code": "220790-18761",
                "attorney_name": "Pēteris Ozols",
                "scope": "all",
                "numbers": "",
                "valid_from": today.isoformat(),
                "valid_until": (today + datetime.timedelta(days=90)).isoformat(),
                "attorney_phone": "25500001",
                "attorney_email": "",
            },
        )
        assert created.status_code == 302, created.text[:1000]
        detail = f"{cluster.a}{created.headers['Location']}"
        mandate_id = int(detail.rstrip("/").rsplit("/", 1)[1])
        uploaded = janis.post(
            f"{detail}upload/",
            data={"csrfmiddlewaretoken": _token(janis, detail)},
            files={"document": ("pilnvara.pdf", PDF, "application/pdf")},
        )
        assert uploaded.status_code == 302, uploaded.text[:1000]
    document_id = cluster.django(
        "from selfcare.mandates.models import MandateDocument\n"
        f"result = MandateDocument.objects.get(mandate_id={mandate_id}).pk"
    )
    with _browser("198.51.100.6") as officer:
        _log_in(officer, start_on=cluster.b, poll_on=cluster.b, code=ILZE)
        downloaded = officer.get(f"{cluster.b}/backoffice/mandates/mandate/documents/{document_id}/")
    assert downloaded.status_code == 200
    assert downloaded.content == PDF
    assert downloaded.headers["Content-Disposition"].startswith("attachment;")


# The every-minute tasks: no retries, so every task result of theirs was enqueued by the schedule.
EVERY_MINUTE = ("binding.sweep_queued_sms", "orders.poll_open_orders")
SCHEDULED = f"""
from django_tasks_db.models import DBTaskResult
from selfcare.background.models import PeriodicRun
from selfcare.schedule import SCHEDULE
result = {{}}
for periodic in SCHEDULE:
    if periodic.name not in {EVERY_MINUTE!r}:
        continue
    runs = DBTaskResult.objects.filter(task_path=periodic.task.module_path)
    result[periodic.name] = {{
        "slots": PeriodicRun.objects.filter(name=periodic.name).count(),
        "enqueued": runs.count(),
        "successful": runs.filter(status="SUCCESSFUL").count(),
    }}
result["workers"] = len({{w for ids in DBTaskResult.objects.values_list("worker_ids", flat=True) for w in ids}})
"""


def test_a_periodic_task_runs_once_per_slot_with_two_workers(cluster: Cluster, tmp_path: Path) -> None:
    worker = [sys.executable, "-m", "selfcare", "worker", "--interval", "0.2"]
    with (
        _process(worker, cluster.env | {"SELFCARE_VAR_DIR": str(tmp_path / "w1")}, tmp_path / "w1.log", health=None),
        _process(worker, cluster.env | {"SELFCARE_VAR_DIR": str(tmp_path / "w2")}, tmp_path / "w2.log", health=None),
    ):
        deadline = time.monotonic() + 150
        while True:
            seen = cluster.django(SCHEDULED)
            sweep = seen["binding.sweep_queued_sms"]
            # Two slots of the every-minute task: both workers ticked through a change of slot, racing for it.
            if sweep["slots"] >= 2 and sweep["successful"] == sweep["enqueued"]:
                break
            assert time.monotonic() < deadline, f"the every-minute task did not run twice in 150 s: {seen}"
            time.sleep(3)
    for name in EVERY_MINUTE:
        counts = seen[name]
        assert counts["enqueued"] == counts["slots"], f"{name} was enqueued more than once for a slot: {seen}"
    assert sweep["successful"] == sweep["slots"] >= 2, seen
