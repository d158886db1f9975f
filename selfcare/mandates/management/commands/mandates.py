"""`selfcare mandates expire` and `selfcare mandates load-representatives FILE`.

`expire` is the daily task (README "Powers of attorney" shows a cron line and a systemd timer): it marks expired
the active mandates whose last day has passed. Access never waits for it — a mandate past its end gives nothing —
but state, history and audit should say so. Safe to run more than once a day and from several hosts (each
mandate is locked while it changes).

`load-representatives` reads the Register of Enterprises' officers export (see selfcare.mandates.register).

`refresh-register` does now what the daily task does: asks the Register's web service when `COMPANY_REGISTER_URL`
is set, else reloads `REGISTER_OFFICERS_FILE`; removals are audited and the main users told.

`move-documents [--from DIR] [--dry-run]` moves signed documents kept in a folder (the old `MANDATE_MEDIA_DIR`)
into the documents storage, checked by SHA-256 and resumable (see selfcare.mandates.moving).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from selfcare.mandates.moving import move_documents
from selfcare.mandates.register import RegisterFormatError, load_officers
from selfcare.mandates.register_service import RegisterUnavailable
from selfcare.mandates.services import expire_mandates
from selfcare.mandates.tasks import refresh_representatives


class Command(BaseCommand):
    help = (
        "Powers of attorney: 'expire' (daily task), 'load-representatives FILE' (officers.csv from data.gov.lv), "
        "'refresh-register' (the daily refresh, now) or 'move-documents'."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="task", required=True)
        sub.add_parser("expire", help="mark expired the active mandates whose last day has passed")
        load = sub.add_parser("load-representatives", help="load officers.csv of the Register of Enterprises")
        load.add_argument("file", type=Path)
        sub.add_parser("refresh-register", help="what the daily task does: the web service, else the export file")
        move = sub.add_parser("move-documents", help="move signed documents from a folder into the documents storage")
        move.add_argument(
            "--from", dest="source", type=Path, default=None, help="the old folder (default: var/mandates)"
        )
        move.add_argument("--dry-run", action="store_true", help="read and check everything, store nothing")

    def handle(self, *args: Any, task: str, **options: Any) -> None:
        if task == "expire":
            count = expire_mandates()
            self.stdout.write(f"expired {count} power(s) of attorney")
            return
        if task == "refresh-register":
            try:
                self.stdout.write(refresh_representatives())
            except (OSError, RegisterFormatError, RegisterUnavailable) as error:
                raise CommandError(str(error)) from None
            return
        if task == "move-documents":
            self._move(options["source"] or Path(settings.VAR_DIR) / "mandates", dry_run=options["dry_run"])
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

    def _move(self, source: Path, *, dry_run: bool) -> None:
        report = move_documents(source, dry_run=dry_run)
        verb = "would move" if dry_run else "moved"
        self.stdout.write(f"{verb} {len(report.moved)}, already in the storage {len(report.already_there)}")
        for label, names in (
            ("missing (no file in the folder or the storage)", report.missing),
            ("damaged (SHA-256 differs from the record)", report.damaged),
            ("failed (the storage refused or read back different bytes)", report.failed),
        ):
            for name in names:
                self.stdout.write(f"{label}: {name}")
        if not report.complete:
            raise CommandError("not every document is in the storage: run again after fixing the lines above")
        if not dry_run:
            self.stdout.write(f"every document is in the storage; {source} may be removed")
