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
    given = {
        "msisdn": None,
        "account_id": account_id,
        "tariff_plan_id": plan_id,
        "status": "terminated",
        "activated_on": datetime.date(2020, 1, 1),
        "terminated_on": datetime.date(2021, 1, 1),
        "user_label": "",
    }
    # Every other column that may not be NULL gets its field's default (barrings' empty list, …), as the ORM
    # would write it: a column added later must not break the floor.
    for field in Connection._meta.concrete_fields:
        if not field.primary_key and not field.null and field.attname not in given:
            given[field.attname] = field.get_db_prep_save(field.get_default(), connection)
    columns = list(given)
    values = [
        tuple(generated_msisdn(40, i) if column == "msisdn" else given[column] for column in columns)
        for i in range(generated)
    ]
    placeholder = "%s"
    sql = (
        f"INSERT INTO {table} ({', '.join(connection.ops.quote_name(c) for c in columns)}) "  # noqa: S608
        f"VALUES ({', '.join([placeholder] * len(columns))})"
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
