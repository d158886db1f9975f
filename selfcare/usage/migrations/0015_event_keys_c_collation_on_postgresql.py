"""PostgreSQL: the key table's ids are compared in the "C" collation (byte by byte) instead of the database's
(C.UTF-8 here, a libc locale that PostgreSQL 15 compares with strcoll). Nothing orders the ids for a person to read;
the index only has to find one, and equality is the same in both (byte equality: both are deterministic), so the
same ids are unique as before. Every recorded event adds its id to this index, and a comparison in "C" is a
memcmp: measured on 1,000,000 ids added to 1,000,000 (issue 19), 3.3 s in the database's collation, 3.0 s in "C" in
the order of a file, 2.5 s and 2.0 s when the ids come in their index's order, as ingestion now sends them
(ingest._copy_lines): Python orders strings by code point, which is the "C" order.

The statements that compare the ids with a staged column or a parameter take the column's collation (a default
collation combined with "C" is "C"), so they keep using the index. The table is not rewritten (the type stays
varchar(200)); its primary key index is rebuilt, which on a large key table takes a while and locks it: run it in
a maintenance window. Django's model state does not change; SQLite has no key table rows and no "C" collation.
"""

from django.db import migrations

TABLE = "usage_usageeventkey"


def _collate(collation: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f'ALTER TABLE {TABLE} ALTER COLUMN source_key TYPE varchar(200) COLLATE "{collation}"')

    return run


class Migration(migrations.Migration):
    dependencies = [("usage", "0014_daily_usage_fillfactor")]

    operations = [migrations.RunPython(_collate("C"), _collate("default"), elidable=False)]
