"""PostgreSQL: daily usage rows leave 30 % of each page free, as the buckets' do (0009), so that adding a batch's
use to a day's total stays on the row's page without new entries in the table's two indexes (a "HOT" update:
quantity is not indexed). Every batch of a day but its first adds to totals that exist; measured on 156,000 totals
(the bench's next file): 1.13 s of database CPU at the full pages, 0.95 s so (issue 19). A storage setting only:
nothing about the rows changes, and existing pages take it as they are rewritten. SQLite has no such setting."""

from django.db import migrations


def _set(fillfactor: int):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE usage_dailyusage SET (fillfactor = {fillfactor})")

    return run


class Migration(migrations.Migration):
    dependencies = [("usage", "0013_event_keys_started_at_brin_on_postgresql")]

    operations = [migrations.RunPython(_set(70), _set(100), elidable=False)]
