"""Run a snippet in a fresh Python process with chosen environment variables: how settings are tested for real."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


# The OpenID signing key the demo and tests generate (settings.py, DEBUG on) stands in for an operator's file.
OIDC_KEY = str(ROOT / "var" / "oidc-signing-key.pem")


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    return subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code],
        env=keep | {"DJANGO_SETTINGS_MODULE": "selfcare.settings", "SELFCARE_VAR_DIR": str(ROOT / "var")} | env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
