"""Follow up open orders the operator has not reported on lately (the polling fallback to its events)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from selfcare.orders.services import orders_poll


class Command(BaseCommand):
    help = "Ask the operator's order management about open orders not asked lately."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{orders_poll()} open order(s) followed up")
