"""Run every benchmark on a fresh, throwaway database (SQLite by default, or DATABASE_URL's server)."""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Callable

from selfcare.bench import Report


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "selfcare.settings")
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the benchmarks drive pages with Django's test client
    from django.db import connection

    from selfcare.bench import dashboard, demo_scale, oidc_tokens, smartid_verify, spend_alerts, usage_ingest

    benchmarks: list[Callable[[Report], None]] = [
        smartid_verify.bench,
        dashboard.run,
        demo_scale.run,
        usage_ingest.run,
        spend_alerts.run,
        oidc_tokens.run,
    ]
    # `python -m selfcare.bench usage_ingest` runs only the benchmarks of the modules named.
    if len(sys.argv) > 1:
        benchmarks = [b for b in benchmarks if b.__module__.rsplit(".", 1)[-1] in sys.argv[1:]]
    creation = connection.creation
    old_name = connection.settings_dict["NAME"]
    # A file, not memory: the benchmarks must measure what the portal pays for writing to disk.
    connection.settings_dict["TEST"]["NAME"] = (
        None if connection.vendor != "sqlite" else str(os.path.join("var", "bench.sqlite3"))
    )
    creation.create_test_db(verbosity=0, autoclobber=True)
    report = Report()
    report.note(
        f"selfcare benchmarks on {connection.vendor}, Python {platform.python_version()}, {os.cpu_count()} cores"
    )
    try:
        for benchmark in benchmarks:
            benchmark(report)
    finally:
        creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
