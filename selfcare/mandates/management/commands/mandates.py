"""`selfcare mandates expire` and `selfcare mandates load-representatives FILE`.

`expire` is the daily task (README "Powers of attorney" shows a cron line and a systemd timer): it marks expired
the active mandates whose last day has passed. Access never waits for it — a mandate past its end gives nothing —
but state, history and audit should say so. Safe to run more than once a day and from several hosts (each
mandate is locked while it changes).

`load-representatives` reads the Register of Enterprises' officers export (see selfcare.mandates.register).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from selfcare.mandates.register import RegisterFormatError, load_officers
from selfcare.mandates.services import expire_mandates


class Command(BaseCommand):
    help = "Powers of attorney: 'expire' (daily task) or 'load-representatives FILE' (officers.csv from data.gov.lv)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="task", required=True)
        sub.add_parser("expire", help="mark expired the active mandates whose last day has passed")
        load = sub.add_parser("load-representatives", help="load officers.csv of the Register of Enterprises")
        load.add_argument("file", type=Path)

    def handle(self, *args: Any, task: str, **options: Any) -> None:
        if task == "expire":
            count = expire_mandates()
            self.stdout.write(f"expired {count} power(s) of attorney")
            return
        path: Path = options["file"]
        try:
            result = load_officers(path.read_bytes())
        except (OSError, RegisterFormatError, UnicodeDecodeError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"{len(result.companies)} companies: {result.created} created, {result.updated} updated, "
            f"{result.removed} removed, {result.skipped} rows skipped"
        )
