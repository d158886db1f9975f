"""`selfcare usage import FILE…` and `selfcare usage feed-key create|list|revoke NAME`.

`import` reads usage files in the documented CSV format (docs/usage-format.md) with a progress bar, then prints a
summary and every rejected row with its reason. Exit status 1 when any row was rejected, so a scheduler notices.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import InterfaceError, OperationalError
from tqdm import tqdm

from selfcare.usage.csvfile import FormatError, import_file
from selfcare.usage.feedkeys import feed_key_create, feed_key_revoke
from selfcare.usage.ingest import IngestResult
from selfcare.usage.models import FeedKey

REJECTS_SHOWN = 100


class Command(BaseCommand):
    help = "Import usage files; create, list and revoke keys of the usage feed API."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        importing = sub.add_parser("import", help="import usage CSV files (docs/usage-format.md)")
        importing.add_argument("files", nargs="+", type=Path)
        importing.add_argument("--batch-rows", type=int, default=settings.USAGE_IMPORT_BATCH_ROWS)
        importing.add_argument("--no-progress", action="store_true", help="no progress bar (e.g. in a cron log)")
        keys = sub.add_parser("feed-key", help="keys of the usage feed API (/feeds/v1/)")
        keys.add_argument("key_action", choices=["create", "list", "revoke"])
        keys.add_argument("name", nargs="?", default="")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "import":
            self._import(options["files"], options["batch_rows"], options["no_progress"])
        else:
            self._feed_key(options["key_action"], options["name"])

    def _import(self, files: list[Path], batch_rows: int, no_progress: bool) -> None:
        total = IngestResult()
        for path in files:
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
            size = path.stat().st_size
            with tqdm(
                total=size, unit="B", unit_scale=True, desc=path.name, disable=no_progress, file=self.stderr._out
            ) as bar:

                def advance(done: int, bar: Any = bar) -> None:
                    bar.update(done - bar.n)

                try:
                    result = import_file(path, batch_rows=max(1, batch_rows), progress=advance)
                except (FormatError, UnicodeDecodeError) as error:
                    raise CommandError(str(error)) from error
                except (OperationalError, InterfaceError) as error:
                    # Each batch is one transaction: what is recorded is whole batches, and a rerun adds the rest.
                    raise CommandError(
                        f"{path}: the database went away during the import ({type(error).__name__}). Whole batches "
                        "are recorded and nothing half-way; run the same command again to record the rest."
                    ) from error
            self._summary(path.name, result)
            total.add(result)
        if len(files) > 1:
            self._summary("all files", total)
        if total.rejected:
            raise CommandError(f"{len(total.rejected)} rows were rejected (see above); the other rows were recorded.")

    def _summary(self, name: str, result: IngestResult) -> None:
        self.stdout.write(
            f"{name}: {result.received} rows, {result.recorded} recorded, "
            f"{result.duplicates} already recorded, {len(result.rejected)} rejected"
        )
        for rejected in result.rejected[:REJECTS_SHOWN]:
            self.stdout.write(f"  line {rejected.line}: {rejected.code} — {rejected.reason} ({rejected.source_key})")
        if len(result.rejected) > REJECTS_SHOWN:
            self.stdout.write(f"  … and {len(result.rejected) - REJECTS_SHOWN} more")

    def _feed_key(self, key_action: str, name: str) -> None:
        if key_action == "list":
            for record in FeedKey.objects.all():
                state = "revoked" if record.revoked_at else "active"
                self.stdout.write(f"{record.name}\t{record.prefix}…\t{state}\tlast used {record.last_used_at or '-'}")
            return
        if not name:
            raise CommandError("Name the feed key, e.g. `usage feed-key create mediation-1`.")
        if key_action == "create":
            if FeedKey.objects.filter(name=name).exists():
                raise CommandError(f"A feed key named {name!r} exists already.")
            _record, key = feed_key_create(name=name)
            self.stdout.write(key)
            self.stderr.write("This key is shown only now: store it in the mediation system's configuration.")
            return
        found = FeedKey.objects.filter(name=name).first()
        if found is None:
            raise CommandError(f"No feed key named {name!r}.")
        feed_key_revoke(found)
        self.stdout.write(f"Revoked {found.name}.")
