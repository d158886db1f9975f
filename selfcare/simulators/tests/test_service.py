"""The simulator service's command: its own settings and port, and only in the demo."""

from __future__ import annotations

import subprocess
import sys

from selfcare.demo.run import processes
from selfcare.tests.subprocess_django import ROOT


def _simulators(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "selfcare", "simulators", "--noreload", "127.0.0.1:0"],
        env={"PATH": "/usr/bin:/bin", "SELFCARE_VAR_DIR": str(ROOT / "var"), **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_simulators_refuse_to_run_outside_the_demo() -> None:
    result = _simulators(DEBUG="true", SELFCARE_DEMO="false")
    assert result.returncode != 0
    assert "only in the demo" in result.stderr


def test_the_simulators_refuse_the_portals_settings() -> None:
    result = _simulators(SELFCARE_DEMO="true", SELFCARE_HTTPS="false", DJANGO_SETTINGS_MODULE="selfcare.settings")
    assert result.returncode != 0
    assert "selfcare.simulators.settings" in result.stderr


def test_make_run_starts_the_portal_and_the_simulator_service_each_on_its_own_port() -> None:
    started = {
        process.name: process.argv[3:] for process in processes(host="127.0.0.1", port=8000, simulators_port=8001)
    }
    assert started == {
        "portal": ["runserver", "--noreload", "127.0.0.1:8000"],
        "simulators": ["simulators", "--noreload", "127.0.0.1:8001"],
    }
