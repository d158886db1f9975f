"""PostgreSQL: the key table's index of start times becomes a BRIN index (a summary of each run of 128 pages) instead
of a btree. Only the daily retention task reads it (partitions.drop_expired_partitions deletes the ids older than
the horizon), while every recorded event wrote an entry into the btree at a random place: half the cost of the key
table's COPY (issue 19). The ids arrive roughly in the order of their start times (a feed sends what just happened;
stragglers are weeks late, not a year), so the pages of ids past retention are few runs the summary finds; in the
worst case the delete reads the whole table once a day, and it deletes the same rows either way. New pages are
summarised as they fill (autosummarize), and a page not summarised yet is always read, never skipped.

Django's model state keeps its db_index (and the index's name): on SQLite, where the key table stays empty (it has
no partitioned events table), it remains a btree. Reversing makes the btree again.
"""

from django.db import migrations

TABLE = "usage_usageeventkey"


def _index_name(cursor) -> str | None:
    cursor.execute(
        "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
        [TABLE, "%(started_at)%"],
    )
    row = cursor.fetchone()
    return row[0] if row else None


def _rebuild(method: str, options: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            name = _index_name(cursor)
            if name is None:
                return
            cursor.execute(f'DROP INDEX "{name}"')
            cursor.execute(f'CREATE INDEX "{name}" ON {TABLE} USING {method} (started_at){options}')

    return run


class Migration(migrations.Migration):
    dependencies = [("usage", "0012_events_without_a_second_unique_key_on_postgresql")]

    operations = [
        migrations.RunPython(_rebuild("brin", " WITH (autosummarize = on)"), _rebuild("btree", ""), elidable=False)
    ]
