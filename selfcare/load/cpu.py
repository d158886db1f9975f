"""The portal's CPU time per kind of request during `make load`: a gunicorn configuration module (`-c
python:selfcare.load.cpu`) whose hooks read the handling thread's CPU clock around each request.

gunicorn's gthread worker runs a request, and both hooks, in one thread, so `time.thread_time()` before and after
is that request's Python work (the database server's own work is not in it). Requests are grouped by the URL
pattern they resolve to; each worker writes its sums to LOAD_REPORT_DIR when it exits, and `python -m
selfcare.load` adds them up.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

_clock = threading.local()
_sums: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])  # kind -> [requests, CPU seconds]
_lock = threading.Lock()


def _kind(path: str) -> str:
    from django.urls import Resolver404, resolve

    try:
        match = resolve(path)
    except Resolver404:
        return "not found"
    return match.route or match.view_name


def pre_request(worker: Any, req: Any) -> None:
    _clock.started = time.thread_time()


def post_request(worker: Any, req: Any, environ: Any, resp: Any) -> None:
    started = getattr(_clock, "started", None)
    if started is None:
        return
    spent = time.thread_time() - started
    kind = _kind(req.path)
    with _lock:
        _sums[kind][0] += 1
        _sums[kind][1] += spent


def worker_exit(server: Any, worker: Any) -> None:
    directory = os.environ.get("LOAD_REPORT_DIR")
    if directory:
        path = Path(directory) / f"cpu-{os.getpid()}.json"
        path.write_text(json.dumps({kind: sums for kind, sums in _sums.items()}))


def collected(report_dir: Path) -> dict[str, tuple[int, float]]:
    """Requests and CPU seconds per kind, summed over the workers' files."""
    totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    for path in report_dir.glob("cpu-*.json"):
        for kind, (count, seconds) in json.loads(path.read_text()).items():
            totals[kind][0] += count
            totals[kind][1] += seconds
    return {kind: (int(count), seconds) for kind, (count, seconds) in totals.items()}
