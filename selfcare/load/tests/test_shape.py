"""`make load` runs the portal in production's shape: what it sets itself agrees with deploy/gunicorn.conf.py."""

from __future__ import annotations

import runpy
from pathlib import Path

from selfcare.load.__main__ import ROOT, gunicorn_command


def test_the_load_runs_keep_connections_open_as_long_as_production_does() -> None:
    production = runpy.run_path(str(Path(ROOT) / "deploy" / "gunicorn.conf.py"))
    command = gunicorn_command(port=8170, workers=2, threads=4)
    assert command[command.index("--keep-alive") + 1] == str(production["keepalive"])
