"""`python -m selfcare.demo.ready http://HOST:PORT`: print where to go in the demo once the portal answers there.

`make run` starts this beside the server: "Portal: http://…" appears only when the server is listening (a port
already taken, or a server that fails to start, prints no address that leads nowhere). It gives up quietly when
the shell that started it is gone or after `TIMEOUT_SECONDS`.
"""

from __future__ import annotations

import os
import sys
import time
import urllib.error
import urllib.request

TIMEOUT_SECONDS = 120.0
POLL_SECONDS = 0.25


def listening(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as answer:  # noqa: S310 (our own http URL)
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def wait_until_listening(base_url: str, *, timeout: float = TIMEOUT_SECONDS, parent: int | None = None) -> bool:
    """True as soon as the portal answers; False after `timeout`, or once the process `parent` has gone."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if listening(base_url):
            return True
        if parent is not None and os.getppid() != parent:
            return False
        time.sleep(POLL_SECONDS)
    return False


def guide(base_url: str, simulators_url: str = "http://127.0.0.1:8001") -> str:
    return (
        f"\nPortal:      {base_url}/  (English: /en/, Russian: /ru/)\n"
        f"Log in:      {base_url}/login/  with a demo person's personal code\n"
        f"Smart-ID phone (confirm logins here): {simulators_url}/simulators/smartid/phone/\n"
        f"SMS phone (one-time codes arrive here): {simulators_url}/simulators/sms/\n"
        f"Sign a PDF as a demo person (stands in for the eParaksts app): {simulators_url}/simulators/eparaksts/sign/\n"
        f"Back office: {base_url}/backoffice/  log in with Smart-ID as a demo staff person\n"
        "             (e.g. Ilze Sproģe 321122-33445)\n"
    )


def main(argv: list[str]) -> int:
    base_url = argv[0].rstrip("/")
    if not wait_until_listening(base_url, parent=os.getppid()):
        return 1
    sys.stdout.write(guide(base_url))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
