"""make load says where the machine's CPU went, by process group (selfcare/load/machine.py)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from selfcare.load import machine

BURN = "import time\nt = time.process_time() + 0.3\nwhile time.process_time() < t: pass\n"
# A parent that waits for a child which burned the CPU, as the postmaster waits for a backend that ended.
PARENT = f"import subprocess, sys, time\nsubprocess.run([sys.executable, '-c', {BURN!r}])\nprint('done', flush=True)\n"


@contextmanager
def _running(code: str) -> Iterator[str]:
    """A Python process running `code` (with a marker in its command line), alive until the block ends, once it
    has printed "done"."""
    marker = "selfcare-load-test-marker"
    process = subprocess.Popen(  # noqa: S603 - our interpreter
        [sys.executable, "-c", code + "print('done', flush=True)\ntime.sleep(30)\n", marker],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        process.stdout.readline()
        yield marker
    finally:
        process.kill()
        process.wait()


def test_a_processs_cpu_is_counted_in_the_group_its_command_line_belongs_to() -> None:
    groups = {"burner": lambda command: "selfcare-load-test-marker" in command}
    before = machine.snapshot(groups)
    with _running("import time\n" + BURN):
        after = machine.snapshot(groups)

    assert after.by_group["burner"] - before.by_group["burner"] >= 0.2
    lines = machine.report(before, after, requests=10, seconds=1.0)
    (line,) = [line for line in lines if line.startswith("burner")]
    assert float(line.split()[1]) >= 20  # ≥ 0.2 s over 10 requests: ≥ 20 ms each


def test_a_child_that_ended_is_counted_with_the_parent_that_waited_for_it() -> None:
    groups = {"parent": lambda command: "selfcare-load-test-marker" in command}
    before = machine.snapshot(groups)
    with _running("import time\n" + PARENT):
        after = machine.snapshot(groups)

    assert after.by_group["parent"] - before.by_group["parent"] >= 0.2


def test_this_processs_own_children_are_counted_from_their_usage() -> None:
    before = machine.snapshot({}, children="locust")
    subprocess.run([sys.executable, "-c", BURN], check=True)  # noqa: S603
    after = machine.snapshot({}, children="locust")

    assert after.by_group["locust"] - before.by_group["locust"] >= 0.2


def test_the_sampler_counts_a_process_that_ended_while_it_sampled() -> None:
    # A database backend ends during the run (a connection at its maximum age): its CPU up to then is counted.
    marker = "selfcare-load-sampler-marker"
    code = BURN + "time.sleep(0.3)\n"  # burns 0.3 s, then lives on long enough to be read after it
    with machine.Sampler(lambda command: marker in command, interval=0.05) as sampler:
        subprocess.run([sys.executable, "-c", code, marker], check=True)  # noqa: S603 - our interpreter
    assert 0.25 <= sampler.seconds <= 0.5


def test_the_sampler_counts_nothing_of_a_process_it_does_not_accept() -> None:
    with machine.Sampler(lambda command: "no process has this in its command line" in command) as sampler:
        subprocess.run([sys.executable, "-c", BURN], check=True)  # noqa: S603 - our interpreter
    assert sampler.seconds == 0.0
