"""No database-checked foreign keys from the buckets and the daily totals (as the events have none since 0002):
ingestion writes these rows in bulk with connection and cycle ids it resolved or created in the same transaction,
and the deferred check of each new row at commit cost about as much as inserting it. The ORM's PROTECT still
stands (Django enforces it, not the database); nothing deletes connections or cycles in raw SQL.

On PostgreSQL the constraints are dropped. SQLite cannot drop a constraint, so Django rebuilds both tables, which
drops the company summary triggers that 0007 put on usage_bucket: they are made again right after (and again after
the rebuild on the way back).
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

_SUMMARIES = importlib.import_module("selfcare.usage.migrations.0007_company_data_summary")


def _bucket_triggers_on_sqlite(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for statement in _SUMMARIES.SQLITE:
        if " ON usage_bucket " in statement:
            name = statement.split()[2]
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}", params=None)
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0003_connection_state_from_orders"),
        ("usage", "0010_bucket_fewer_indexes"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, _bucket_triggers_on_sqlite),
        migrations.AlterField(
            model_name="bucket",
            name="connection",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="buckets",
                to="customers.connection",
            ),
        ),
        migrations.AlterField(
            model_name="bucket",
            name="cycle",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="buckets",
                to="usage.billingcycle",
            ),
        ),
        migrations.AlterField(
            model_name="dailyusage",
            name="connection",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="daily_usage",
                to="customers.connection",
            ),
        ),
        migrations.RunPython(_bucket_triggers_on_sqlite, migrations.RunPython.noop),
    ]
