"""PostgreSQL: daily usage rows leave 40 % of each page free instead of 30 % (0014). Once the totals lost their id
(0017) an update of a total that cannot stay on its page costs an entry in one index, not two; a batch that adds to
most of a day's totals (the bench's next file: 408,000 sums, 266,000 of them adding to a total) fits more of its
updates on their pages at 60 %. Measured on that shape: the MERGE 1.62-1.64 s at 70 %, 1.42 s at 60 %, 1.44-1.48 s at
50 % and 1.52 s at 40 % (issue 19); the table is a seventh larger. A storage setting only, as 0014."""

from django.db import migrations


def _set(fillfactor: int):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE usage_dailyusage SET (fillfactor = {fillfactor})")

    return run


class Migration(migrations.Migration):
    dependencies = [("usage", "0018_events_received_at_set_by_the_database")]

    operations = [migrations.RunPython(_set(60), _set(70), elidable=False)]
