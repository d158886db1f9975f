"""`selfcare tasks [--failed N]`: what the background queue holds, by task and state, and the latest failures.

A failure that was retried (`RetryScheduled`) is counted apart from a final one: only the final ones need a person.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from selfcare.background.selectors import latest_failures, queue_counts


class Command(BaseCommand):
    help = "List background tasks by state (ready, running, failed, retried, successful) and the latest failures."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--failed", type=int, default=10, help="how many of the latest final failures to show")

    def handle(self, *args: Any, failed: int, **options: Any) -> None:
        rows = queue_counts()
        by_task: dict[str, dict[str, int]] = defaultdict(dict)
        for row in rows:
            by_task[row.task][row.state] = row.count
        states = ["ready", "running", "failed", "retried", "successful"]
        self.stdout.write(f"{'task':<50}" + "".join(f"{s:>11}" for s in states))
        for name in sorted(by_task):
            self.stdout.write(f"{name:<50}" + "".join(f"{by_task[name].get(s, 0):>11}" for s in states))
        for failure in latest_failures(limit=failed):
            self.stdout.write(f"failed {failure.finished_at:%Y-%m-%d %H:%M:%S} {failure.task}: {failure.error}")
