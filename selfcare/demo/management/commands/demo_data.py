"""`selfcare demo_data [--scale N]`: load the demo world (idempotent) and print who to log in as."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from selfcare.demo import dataset
from selfcare.demo.loader import MAX_GENERATED, load_demo
from selfcare.identifiers import format_msisdn
from selfcare.simulators.pki.demo import ensure_demo_pki


class Command(BaseCommand):
    help = "Load the demo data (companies, accounts, connections, plans). Safe to run again: changes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            type=int,
            default=None,
            metavar="N",
            help="Generate N connections per demo company (bulk insert; e.g. 10000 for benchmarks).",
        )

    def handle(self, *args: Any, scale: int | None, **options: Any) -> None:
        if not settings.SELFCARE_DEMO:
            raise CommandError("Demo data is only loaded when SELFCARE_DEMO=true (never in production).")
        if scale is not None and not 0 <= scale <= MAX_GENERATED:
            raise CommandError(f"--scale must be between 0 and {MAX_GENERATED}.")
        started = time.perf_counter()
        # The test PKI's files the demo's settings name (anchors, bank-link keys), before any service starts.
        ensure_demo_pki()
        report = load_demo(scale=scale)
        elapsed = time.perf_counter() - started
        if report.changed_anything:
            created = ", ".join(f"{n} {kind}" for kind, n in sorted(report.created.items())) or "nothing new"
            self.stdout.write(f"Demo data loaded in {elapsed:.1f} s: created {created}.")
        else:
            self.stdout.write(f"Demo data already in place ({elapsed:.1f} s): nothing changed.")
        if report.usage_recorded:
            self.stdout.write(f"Demo usage: {report.usage_recorded} events recorded.")
        if options["verbosity"] >= 1:
            self._print_guide()

    def _print_guide(self) -> None:
        self.stdout.write("\nDemo persons (personal code — what they show):")
        for person in dataset.PERSONS:
            with translation.override("en"):  # the rest of the guide is in English too
                role = str(person.role)
            self.stdout.write(f"  {person.name:<16} {person.personal_code:<15} {role}")
            for connection in person.private_connections:
                self.stdout.write(f"      private {format_msisdn(connection.msisdn)}  {connection.label}")
        self.stdout.write("\nDemo companies:")
        for company in dataset.COMPANIES:
            self.stdout.write(f"  {company.name:<24} reg. no. {company.registration_number}")
        self.stdout.write(
            "\nBack office (/backoffice/): log in with eID (Smart-ID) as a staff person above "
            "(Ilze Sproģe 321122-33445, Mārtiņš Zariņš 322233-44556, Dace Roze 323344-55667)."
        )
