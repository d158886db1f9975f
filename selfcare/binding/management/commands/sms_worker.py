"""`selfcare sms_worker [--once] [--interval N]`: deliver SMS left queued, by hand (the workers run the same pass
every minute as a periodic task, `binding.tasks.sweep_queued_sms`).

Messages are delivered by their own background task, retried with back-off; this pass is the safety net that makes
"queued" never mean "lost". Running it beside the workers is harmless: each attempt claims its message first.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from selfcare.binding.sms import deliver_pending


class Command(BaseCommand):
    help = "Deliver SMS messages left queued; with --once, one pass and exit."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="one pass, then exit")
        parser.add_argument("--interval", type=int, default=30, help="seconds between passes (default 30)")

    def handle(self, *args: Any, once: bool, interval: int, **options: Any) -> None:
        while True:
            outcome = deliver_pending()
            if any(outcome.values()):
                self.stdout.write(
                    f"sent {outcome['sent']}, still waiting {outcome['waiting']}, failed {outcome['failed']}, "
                    f"expired {outcome['expired']}"
                )
            if once:
                return
            time.sleep(max(interval, 1))
