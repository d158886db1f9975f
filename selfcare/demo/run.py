"""`python -m selfcare.demo.run`: the demo's processes, started together and stopped together (`make run`).

One command still starts the whole demo, but as the services production has: the portal, the simulator service
and the background worker (SMS, e-mail, notices and periodic tasks: docs/background-work.md) each run in a process
of their own (the first two on their own port), with DEBUG off. Their lines are printed with the process's name
in front. When one process ends, the others are stopped; Ctrl-C stops them all.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from selfcare.demo.ready import guide, wait_until_listening
from selfcare.mandates.register_service import DEMO_PATH as DEMO_REGISTER_PATH


@dataclass(frozen=True, slots=True)
class Process:
    name: str
    argv: list[str]


def processes(*, host: str, port: int, simulators_port: int) -> list[Process]:
    """What the demo runs. A new long-running part of the demo (the task worker, a scheduler) is added here."""
    manage = [sys.executable, "-m", "selfcare"]
    return [
        Process("portal", [*manage, "runserver", "--noreload", f"{host}:{port}"]),
        Process("simulators", [*manage, "simulators", "--noreload", f"{host}:{simulators_port}"]),
        Process("worker", [*manage, "worker"]),
    ]


def _relay(process: subprocess.Popen[str], name: str) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        sys.stdout.write(f"{name:<11}| {line}")
        sys.stdout.flush()


def run(children: Sequence[Process], *, environment: dict[str, str], portal_url: str) -> int:
    running: list[subprocess.Popen[str]] = []
    ended = threading.Event()

    def stop(*_: object) -> None:
        ended.set()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for child in children:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            child.argv, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
        )
        running.append(process)
        threading.Thread(target=_relay, args=(process, child.name), daemon=True).start()

    def announce() -> None:
        if wait_until_listening(portal_url, timeout=120) and not ended.is_set():
            sys.stdout.write(guide(portal_url, environment["SELFCARE_SIMULATORS_URL"]))
            sys.stdout.flush()

    threading.Thread(target=announce, daemon=True).start()
    while not ended.wait(0.5):
        if any(process.poll() is not None for process in running):
            break
    for process in running:
        if process.poll() is None:
            process.terminate()
    codes = [process.wait(timeout=15) for process in running]
    return 0 if ended.is_set() else max(abs(code) for code in codes) or 1


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m selfcare.demo.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="the portal's port (default %(default)s)")
    parser.add_argument("--simulators-port", type=int, default=8001, help="the simulators' (default %(default)s)")
    args = parser.parse_args(argv)
    portal_url = f"http://{args.host}:{args.port}"
    simulators_url = f"http://{args.host}:{args.simulators_port}"
    environment = {
        **os.environ,
        "SELFCARE_DEMO": "true",
        "SELFCARE_PORTAL_URL": portal_url,
        "SELFCARE_SIMULATORS_URL": simulators_url,
        # The register's full-code web service (its simulator) is the demo's source of representatives, so the
        # production path runs here; empty outside the demo means the open-data export (docs/features.md).
        "COMPANY_REGISTER_URL": os.environ.get("COMPANY_REGISTER_URL", f"{simulators_url}{DEMO_REGISTER_PATH}"),
        "PYTHONUNBUFFERED": "1",
    }
    children = processes(host=args.host, port=args.port, simulators_port=args.simulators_port)
    return run(children, environment=environment, portal_url=portal_url)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
