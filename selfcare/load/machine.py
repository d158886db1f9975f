"""Where the machine's CPU went during `make load`, by process group, from /proc (Linux).

The per-URL table (cpu.py) is the portal's own Python; a request also costs the database, Redis, the simulator
service and, on this one machine, locust itself. Each process's user and system time is read before and after
the run and the difference summed by group, so the run says which part of the machine its requests used.
"""

from __future__ import annotations

import os
import resource
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass(frozen=True)
class Snapshot:
    by_group: dict[str, float]  # CPU seconds of the live processes of each group
    busy: float  # the whole machine's non-idle CPU seconds since boot


def _processes() -> list[tuple[str, float]]:
    """(command line, CPU seconds) of every process we may read but this one (whose children `snapshot` counts
    itself). A process's seconds include its children that have ended and that it waited for: a database backend
    that ends during the run (a connection closed at its maximum age) is counted in the postmaster's, not lost."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile, or not ours to read
        # Fields 14 to 17 of stat (utime, stime, cutime, cstime), counted after the command's closing parenthesis.
        found.append((command, sum(int(value) for value in fields[11:15]) / _TICKS))
    return found


def _busy() -> float:
    # /proc/stat's first line: user nice system idle iowait irq softirq steal …; idle and iowait are not busy.
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / _TICKS


def snapshot(groups: Mapping[str, Callable[[str], bool]], *, children: str = "") -> Snapshot:
    """CPU seconds by the first group whose test accepts a process's command line; the rest are "other". A child
    process that has ended and been waited for is no longer in /proc: with `children`, this process's waited-for
    children's CPU time (getrusage) is counted under that group."""
    totals = dict.fromkeys([*groups, "other"], 0.0)
    if children:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        totals[children] = usage.ru_utime + usage.ru_stime
    for command, seconds in _processes():
        name = next((group for group, accepts in groups.items() if accepts(command)), "other")
        totals[name] += seconds
    return Snapshot(totals, _busy())


def report(before: Snapshot, after: Snapshot, requests: int, seconds: float) -> list[str]:
    """Lines of CPU milliseconds per request by group, and how busy the machine's cores were."""
    cores = os.cpu_count() or 1
    lines = [f"\n{'machine CPU per request, by process group':<52}{'CPU ms':>9}{'share':>8}"]
    spent = {group: max(0.0, after.by_group[group] - before.by_group.get(group, 0.0)) for group in after.by_group}
    everything = sum(spent.values()) or 1.0
    for group, used in sorted(spent.items(), key=lambda item: -item[1]):
        lines.append(f"{group:<52}{used / max(requests, 1) * 1000:>9.1f}{used / everything:>8.0%}")
    busy = (after.busy - before.busy) / (seconds * cores) if seconds > 0 else 0.0
    lines.append(f"{'the machine: busy':<52}{busy:>17.0%} of {cores} cores over {seconds:.0f} s")
    return lines


def _own_cpu(pid: str) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime


class Sampler:
    """The CPU seconds of the processes whose command line `accepts` while the block runs, read every `interval`
    seconds: a process that ends during the block is counted up to its last reading (at most `interval` of it is
    lost), one that starts during it from nothing."""

    def __init__(self, accepts: Callable[[str], bool], interval: float = 0.2) -> None:
        self._accepts, self._interval = accepts, interval
        self._first: dict[str, float] = {}
        self._last: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _read(self, first: bool) -> None:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            if entry.name not in self._last:
                try:
                    command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                except OSError:
                    continue
                if not self._accepts(command.strip()):
                    continue
            seconds = _own_cpu(entry.name)
            if seconds is None:
                continue
            if entry.name not in self._last:
                self._first[entry.name] = seconds if first else 0.0
            self._last[entry.name] = seconds

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self._read(first=False)

    def __enter__(self) -> Sampler:
        self._read(first=True)
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._read(first=False)

    @property
    def seconds(self) -> float:
        return sum(last - self._first[pid] for pid, last in self._last.items())
