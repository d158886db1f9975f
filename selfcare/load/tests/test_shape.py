"""`make load` runs the portal in production's shape: what it sets itself agrees with deploy/gunicorn.conf.py."""

from __future__ import annotations

import os
import runpy
from pathlib import Path

import pytest

from selfcare.load.__main__ import ROOT, _arguments, gunicorn_command


def _production() -> dict[str, object]:
    """deploy/gunicorn.conf.py as gunicorn reads it, read here on its own (not through the load's reader)."""
    return runpy.run_path(str(Path(ROOT) / "deploy" / "gunicorn.conf.py"))


def test_the_load_runs_keep_connections_open_as_long_as_production_does() -> None:
    production = _production()
    command = gunicorn_command(port=8170, workers=2, threads=4)
    assert command[command.index("--keep-alive") + 1] == str(production["keepalive"])


def test_the_load_runs_as_many_processes_and_threads_as_production_does_on_this_machine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("GUNICORN_THREADS", raising=False)
    production = _production()
    arguments = _arguments([])
    assert (arguments.workers, arguments.threads) == (production["workers"], production["threads"])
    # Two processes per core: one process's threads wait on each other for the interpreter's lock.
    assert production["workers"] == 2 * (os.cpu_count() or 1)
