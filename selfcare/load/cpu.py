"""The portal's CPU time per kind of request during `make load`: a gunicorn configuration module (`-c
python:selfcare.load.cpu`) whose hooks read the handling thread's CPU clock around each request.

gunicorn's gthread worker runs a request, and both hooks, in one thread, so `time.thread_time()` before and after
is that request's Python work (the database server's own work is not in it). Requests are grouped by the URL
pattern they resolve to; each worker writes its sums to LOAD_REPORT_DIR when it exits, and `python -m
selfcare.load` adds them up.

`LOAD_PROFILE` (URL patterns as the CPU table names them, comma-separated, or `all`) also runs cProfile in the
handling thread around each request of those kinds; each worker writes `profile-<pid>.prof` to LOAD_REPORT_DIR, and
`python -m selfcare.load` prints the functions that took the CPU time. An in-process profile misses what only a
server under load does (a fresh connection per request, contention, caches shared by threads); this sees it.
"""

from __future__ import annotations

import cProfile
import gc
import json
import os
import pstats
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

_clock = threading.local()
_sums: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])  # kind -> [requests, CPU seconds]
_lock = threading.Lock()
WARM_UP_HEADER = "X-Load-Warm-Up"
_PROFILED = frozenset(kind.strip() for kind in os.environ.get("LOAD_PROFILE", "").split(",") if kind.strip())
_profiles: list[cProfile.Profile] = []  # one per thread that profiled a request
# The garbage collector's CPU in the worker, by generation: [collections, CPU seconds], whichever thread it ran in
# (a collection runs in the thread whose allocation set it off, inside a request or in gunicorn's own loop).
_collections: dict[int, list[float]] = defaultdict(lambda: [0, 0.0])
GC_KIND = "(garbage collector, generation {})"


def _gc_clock(phase: str, info: dict[str, int]) -> None:
    if phase == "start":
        _clock.gc_started = time.thread_time()
        return
    started = getattr(_clock, "gc_started", None)
    if started is not None:
        sums = _collections[info["generation"]]
        sums[0] += 1
        sums[1] += time.thread_time() - started


def post_worker_init(worker: Any) -> None:
    gc.callbacks.append(_gc_clock)


def _kind(path: str) -> str:
    from django.urls import Resolver404, resolve

    try:
        match = resolve(path)
    except Resolver404:
        return "not found"
    return match.route or match.view_name


def _profiler() -> cProfile.Profile:
    profiler: cProfile.Profile | None = getattr(_clock, "profiler", None)
    if profiler is None:
        # The thread's CPU clock, not the wall: what a request costs the machine, not what it waited for.
        profiler = _clock.profiler = cProfile.Profile(time.thread_time)
        with _lock:
            _profiles.append(profiler)
    return profiler


def pre_request(worker: Any, req: Any) -> None:
    # The run's own warm-up logins (python -m selfcare.load) are not the load measured.
    if any(name == WARM_UP_HEADER.upper() for name, _value in req.headers):
        _clock.started = None
        _clock.profiling = False
        return
    _clock.profiling = bool(_PROFILED) and ("all" in _PROFILED or _kind(req.path) in _PROFILED)
    if _clock.profiling:
        _profiler().enable()
    _clock.started = time.thread_time()


def post_request(worker: Any, req: Any, environ: Any, resp: Any) -> None:
    started = getattr(_clock, "started", None)
    if started is None:
        return
    spent = time.thread_time() - started
    if getattr(_clock, "profiling", False):
        _profiler().disable()
    kind = _kind(req.path)
    with _lock:
        _sums[kind][0] += 1
        _sums[kind][1] += spent


def worker_exit(server: Any, worker: Any) -> None:
    directory = os.environ.get("LOAD_REPORT_DIR")
    if directory:
        path = Path(directory) / f"cpu-{os.getpid()}.json"
        gc.callbacks[:] = [callback for callback in gc.callbacks if callback is not _gc_clock]
        path.write_text(json.dumps({kind: sums for kind, sums in _sums.items()}))
        collections = {GC_KIND.format(generation): sums for generation, sums in sorted(_collections.items())}
        (Path(directory) / f"gc-{os.getpid()}.json").write_text(json.dumps(collections))
        with _lock:
            profiles = list(_profiles)
        if profiles:
            stats = pstats.Stats(profiles[0])
            for profile in profiles[1:]:
                stats.add(profile)
            stats.dump_stats(Path(directory) / f"profile-{os.getpid()}.prof")


def collected(report_dir: Path) -> dict[str, tuple[int, float]]:
    """Requests and CPU seconds per kind, summed over the workers' files."""
    totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    for path in report_dir.glob("cpu-*.json"):
        for kind, (count, seconds) in json.loads(path.read_text()).items():
            totals[kind][0] += count
            totals[kind][1] += seconds
    return {kind: (int(count), seconds) for kind, (count, seconds) in totals.items()}


def print_collections(report_dir: Path, requests: int) -> None:
    """The garbage collector's CPU in the portal's workers by generation, in all and per request measured."""
    totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    for path in report_dir.glob("gc-*.json"):
        for kind, (count, seconds) in json.loads(path.read_text()).items():
            totals[kind][0] += count
            totals[kind][1] += seconds
    if not totals:
        return
    print(f"\n{'the portal garbage collector':<44}{'runs':>8}{'CPU ms':>9}{'per request ms':>15}")
    for kind, (count, seconds) in sorted(totals.items()):
        print(f"{kind:<44}{int(count):>8}{seconds * 1000:>9.0f}{seconds * 1000 / max(requests, 1):>15.2f}")


def print_profile(report_dir: Path, lines: int = 40) -> None:
    """The workers' profiles (LOAD_PROFILE) added up: cumulative first, then the functions' own time."""
    paths = sorted(report_dir.glob("profile-*.prof"))
    if not paths:
        return
    stats = pstats.Stats(*map(str, paths))
    for order in ("cumulative", "tottime"):
        print(f"\nThe portal's profile of {os.environ.get('LOAD_PROFILE')} requests, by {order}:")
        stats.sort_stats(order).print_stats(lines)
