"""Bulk generation of connections (`demo_data --scale`) against a raw executemany INSERT of the same rows."""

from __future__ import annotations

import datetime

from django.db import connection, transaction

from selfcare.bench import Report, timed
from selfcare.customers.models import Connection
from selfcare.demo import dataset
from selfcare.demo.loader import generated_msisdn, load_demo

PER_COMPANY = 10_000


def run(report: Report) -> None:
    load_demo(scale=0)
    seconds = timed(lambda: load_demo(scale=PER_COMPANY))
    rows = Connection.objects.count()
    generated = PER_COMPANY * len(dataset.COMPANIES)

    # The floor: the same number of rows through one executemany, no validation, no ORM.
    account_id, plan_id = Connection.objects.values_list("account_id", "tariff_plan_id").first()  # type: ignore[misc]
    table = Connection._meta.db_table
    values = [
        (
            generated_msisdn(40, i),
            account_id,
            plan_id,
            "terminated",
            datetime.date(2020, 1, 1),
            datetime.date(2021, 1, 1),
            "",
        )
        for i in range(generated)
    ]
    placeholder = "%s"
    sql = (
        f"INSERT INTO {table} (msisdn, account_id, tariff_plan_id, status, activated_on, terminated_on, user_label) "  # noqa: S608
        f"VALUES ({', '.join([placeholder] * 7)})"
    )

    def raw() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, values)

    floor = timed(raw)
    report.ratio(
        f"demo --scale {PER_COMPANY} ({generated} rows, {connection.vendor})",
        product=generated / seconds,
        floor=generated / floor,
        unit="rows/s",
    )
    report.note(f"  {rows} connections in the database after generation; {seconds:.2f} s for the product path")
