"""The portal's pages in instructions per request, counted by valgrind's callgrind: a figure that does not move with
the machine, to tell a change of a few per cent from the noise.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/instr DEBUG=false SELFCARE_DEMO=true SELFCARE_HTTPS=false \\
      .venv/bin/python -m selfcare.bench.instructions dashboard page me

Why: on the shared 2-core machine the same code's CPU per request moves by a fifth from one run to the next (the
host's other work), so a change worth 5 % cannot be seen in milliseconds, not even by alternating old and new. The
instructions a request executes are the same from run to run to about 0.1 %, whatever else the machine does.

How: the demo data (PROFILE_API_SCALE connections per company, default 50) is loaded once into a throwaway
database, here, outside valgrind. Then, for each kind of page, a process under callgrind with counting off logs a
demo person in (Django's test client, in process, as `selfcare.bench.profile` does), asks for the page a few
times, collects and freezes its garbage (a full collection inside the window would count as the pages'), and says
it is ready; counting is switched on (`callgrind_control -i on`) for INSTRUCTIONS_REQUESTS pages (default 10) and
off again. What is printed is the instructions counted divided by the pages: Python, Django, psycopg and the
interpreter's own work in this process; not the database server's, not a network server's (an HTTP server adds
its own per request). Each kind takes about 40 s (valgrind runs the interpreter some fifty times slower).

Kinds: dashboard (the first demo person's, all contexts), page (a private connection's page), company (a company
number's page), list (a company's connection list), me (the identity page). Needs valgrind (Debian's package).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KINDS = ("dashboard", "page", "company", "list", "me")
_READY, _DONE = "INSTRUCTIONS-READY", "INSTRUCTIONS-DONE"


def _urls() -> dict[str, str]:
    from selfcare.customers.models import Connection
    from selfcare.demo import dataset

    code = dataset.PERSONS[0].personal_code.replace("-", "")
    private = Connection.objects.filter(account__holder_personal_code=code, account__kind="private").order_by("pk")
    business = Connection.objects.filter(account__company__isnull=False, account__kind="business").order_by("pk")
    mine, company = private.first(), business.first()
    assert mine is not None, "the demo data has a private connection"
    assert company is not None, "the demo data has a company's connection"
    acting = f"company-{company.account.company_id}"
    return {
        "dashboard": "/en/dashboard/",
        "page": f"/en/acting/private/connections/{mine.pk}/",
        "company": f"/en/acting/{acting}/connections/{company.pk}/",
        "list": f"/en/acting/{acting}/connections/",
        "me": "/en/me/",
    }


def _child(kind: str, requests: int, go: Path) -> None:
    """Under callgrind: log in, warm up, say ready, wait for counting to start, ask for the pages, say done."""
    import gc

    from django.test import Client, override_settings

    from selfcare.demo import dataset
    from selfcare.identity.methods.base import VerifiedIdentity
    from selfcare.identity.services import identity_for

    code = dataset.PERSONS[0].personal_code.replace("-", "")
    identity = identity_for(VerifiedIdentity("smartid", "LV", code, "ANNA", "BĒRZIŅA", "qualified", {}))
    url = _urls()[kind]
    client = Client()
    client.force_login(identity.user)
    with override_settings(DEBUG=False):
        for _ in range(5):  # the session's first writes, the statements compiled, the templates loaded
            assert client.get(url).status_code == 200
        gc.collect()
        gc.freeze()
        print(_READY, flush=True)
        while not go.exists():
            time.sleep(0.05)
        for _ in range(requests):
            assert client.get(url).status_code == 200
        print(_DONE, flush=True)


def _count(kind: str, requests: int, env: dict[str, str]) -> float:
    """Instructions per page of `kind`, from one process under callgrind."""
    with tempfile.TemporaryDirectory() as scratch:
        go = Path(scratch) / "go"
        command = [
            "valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={scratch}/callgrind.out",
            sys.executable, "-m", "selfcare.bench.instructions", "--child", kind, str(requests), str(go),
        ]  # fmt: skip
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # noqa: S603
        assert process.stdout is not None
        assert process.stderr is not None
        for line in process.stdout:
            if _READY in line:
                _counting("on", process.pid)
                go.touch()
            elif _DONE in line:
                _counting("off", process.pid)
                break
        errors = process.stderr.read()
        if process.wait() != 0:
            raise SystemExit(f"the {kind} process failed:\n{errors[-3000:]}")
    collected = re.search(r"Collected : (\d+)", errors)
    if collected is None:
        raise SystemExit(f"callgrind counted nothing for {kind}:\n{errors[-3000:]}")
    return int(collected.group(1)) / requests


def _counting(switch: str, pid: int) -> None:
    subprocess.run(["callgrind_control", "-i", switch, str(pid)], check=True, capture_output=True)  # noqa: S603, S607 - our own child


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "selfcare.settings")
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("SELFCARE_DEMO", "true")
    import django

    django.setup()
    from django.db import connection

    if sys.argv[1:2] == ["--child"]:
        _child(sys.argv[2], int(sys.argv[3]), Path(sys.argv[4]))
        return
    kinds = sys.argv[1:] or list(KINDS)
    unknown = set(kinds) - set(KINDS)
    if unknown or not shutil.which("valgrind"):
        raise SystemExit(f"kinds are {', '.join(KINDS)} (not {', '.join(sorted(unknown))}); valgrind is needed")
    from selfcare.demo.loader import load_demo

    creation = connection.creation
    old_name = connection.settings_dict["NAME"]
    sqlite = connection.vendor == "sqlite"
    connection.settings_dict["TEST"]["NAME"] = str(Path("var") / "instructions.sqlite3") if sqlite else None
    test_name = creation.create_test_db(verbosity=0, autoclobber=True)
    requests = int(os.environ.get("INSTRUCTIONS_REQUESTS", 10))
    try:
        load_demo(scale=int(os.environ.get("PROFILE_API_SCALE", 50)))
        connection.close()
        # The children open the database just made: its name in DATABASE_URL (a file's path for SQLite).
        url = os.environ.get("DATABASE_URL", "")
        database = f"sqlite:///{Path(test_name).resolve()}" if sqlite else url.rsplit("/", 1)[0] + f"/{test_name}"
        env = {**os.environ, "DATABASE_URL": database, "LOG_LEVEL": "WARNING"}
        moment = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        print(f"instructions per page on {connection.vendor}, {moment}, {requests} pages each (callgrind)")
        for kind in kinds:
            print(f"  {kind:10} {_count(kind, requests, env) / 1e6:8.2f} M", flush=True)
    finally:
        creation.destroy_test_db(old_name, verbosity=0)
        if sqlite:  # the children's write-ahead log, which Django's clean-up does not know of
            for suffix in ("-wal", "-shm"):
                Path(f"{test_name}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
