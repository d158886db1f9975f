"""PostgreSQL: the partitioned events table no longer keeps (source_key, started_at) unique. The key table
(usage_usageeventkey, 0005) keeps every event id unique whatever its start time, and every way an event is recorded
claims its id there first, in the same transaction (ingest.py), so the events table's own unique index could never
refuse an event the key table let through: it only cost every recorded event a second btree entry of its id (a
fifth of a COPY of 200,000 events, measured: issue 19). Nothing reads events by their id.

Django's model state keeps the constraint (SQLite's single events table needs it: it has no key table); on
PostgreSQL it was already only in name what the model says (0004). Reversing makes the index again.
"""

from django.db import migrations

TABLE = "usage_usageevent"


def _partitioned(schema_editor) -> bool:
    if schema_editor.connection.vendor != "postgresql":
        return False
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [TABLE])
        row = cursor.fetchone()
    return bool(row and row[0] == "p")


def drop(apps, schema_editor):
    if _partitioned(schema_editor):
        schema_editor.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS event_source_key_unique")


def restore(apps, schema_editor):
    if _partitioned(schema_editor):
        schema_editor.execute(
            f"ALTER TABLE {TABLE} ADD CONSTRAINT event_source_key_unique UNIQUE (source_key, started_at)"
        )


class Migration(migrations.Migration):
    dependencies = [("usage", "0011_buckets_and_daily_totals_without_db_constraints")]

    operations = [migrations.RunPython(drop, restore, elidable=False)]
