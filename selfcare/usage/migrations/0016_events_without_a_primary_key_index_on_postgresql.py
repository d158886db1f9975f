"""PostgreSQL: the partitioned events table no longer has a primary key index of (id, started_at). Nothing reads an
event by its id: the pages, the exports and the retention read them by connection and time (the index of
(connection_id, started_at)), the key table keeps every event id unique (0005, 0012), and the partitions go whole.
The index only cost every recorded event a btree entry more (a tenth of the database's CPU for a file's events,
measured: issue 19). The column keeps its values from its sequence, as before.

Django's model state keeps `id` as the primary key (SQLite's single events table has it as such); on PostgreSQL it
is now only in name what the model says, as 0004 and 0012 did for the event id. Reversing makes the index again.
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
        schema_editor.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS {TABLE}_pkey")


def restore(apps, schema_editor):
    if _partitioned(schema_editor):
        schema_editor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id, started_at)")


class Migration(migrations.Migration):
    dependencies = [("usage", "0015_event_keys_c_collation_on_postgresql")]

    operations = [migrations.RunPython(drop, restore, elidable=False)]
