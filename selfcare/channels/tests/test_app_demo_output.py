"""The reference client as a person runs it: nothing from third-party libraries on the terminal."""

from __future__ import annotations

import subprocess
import sys


def test_the_app_demo_prints_no_third_party_deprecation_warning() -> None:
    started = subprocess.run(
        [sys.executable, "-W", "default", "-m", "selfcare", "app-demo", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert started.returncode == 0
    assert "Warning" not in started.stderr
    assert started.stderr == ""
    assert started.stdout.endswith("\n")
