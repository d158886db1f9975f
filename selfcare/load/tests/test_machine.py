"""make load says where the machine's CPU went, by process group (selfcare/load/machine.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from selfcare.load import machine


def _burn(seconds: float) -> None:
    until = time.process_time() + seconds
    while time.process_time() < until:
        pass


def test_a_processs_cpu_is_counted_in_the_group_its_command_line_belongs_to() -> None:
    me = os.getpid()
    groups = {"this test": lambda command: command == _command_of(me)}
    before = machine.snapshot(groups)
    _burn(0.3)
    after = machine.snapshot(groups)

    assert after.by_group["this test"] - before.by_group["this test"] >= 0.2
    lines = machine.report(before, after, requests=10, seconds=1.0)
    (line,) = [line for line in lines if line.startswith("this test")]
    assert float(line.split()[2]) >= 20  # ≥ 0.2 s over 10 requests: ≥ 20 ms each


def test_a_child_that_has_ended_is_counted_from_its_usage() -> None:
    before = machine.snapshot({}, children="locust")
    subprocess.run(
        [sys.executable, "-c", "import time\nt = time.process_time() + 0.3\nwhile time.process_time() < t: pass"],
        check=True,
    )
    after = machine.snapshot({}, children="locust")

    assert after.by_group["locust"] - before.by_group["locust"] >= 0.2


def _command_of(pid: int) -> str:
    with open(f"/proc/{pid}/cmdline", "rb") as file:
        return file.read().replace(b"\0", b" ").decode(errors="replace").strip()
