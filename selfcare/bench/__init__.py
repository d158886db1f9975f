"""`make bench`: the project's benchmarks, each reported as a ratio against a floor measured in the same run.

A benchmark is a function `(report) -> None` registered in `selfcare.bench.__main__.BENCHMARKS`; it measures the
product's path and a floor (raw SQL, a bare view, a bare cryptographic operation) on the same data.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)

    def ratio(self, name: str, *, product: float, floor: float, unit: str, target: str = "") -> None:
        ratio = product / floor if floor else float("inf")
        line = f"{name:<48} {product:>10.2f} {unit:<10} floor {floor:>10.2f} {unit:<10} ratio {ratio:>6.2f}"
        if target:
            line += f"  target {target}"
        self.lines.append(line)
        print(line, flush=True)

    def note(self, text: str) -> None:
        self.lines.append(text)
        print(text, flush=True)


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]
