"""An event's `received_at` defaults to the database's clock when the statement that records it began (Django's
`Now()`: PostgreSQL's STATEMENT_TIMESTAMP; on SQLite, whose ingestion still writes its own time, the current time). On PostgreSQL ingestion leaves the column out and the default
sets it: the COPY of a file's events no longer reads the same time from the text of every line, measured at a tenth
of that COPY's database time (500,000 events: 2.0-2.6 s → 2.0-2.1 s, and 1.98 → 1.67 s; issue 19). Nothing reads
the column; it was the import's start, it is now when the event's part of the file was written (minutes later, for
the last batches of a large file). A default only: existing rows keep their values (on SQLite Django remakes the
events table to change a default, copying every event)."""

import django.db.models.functions.datetime
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("usage", "0017_daily_usage_keyed_by_what_it_totals")]

    operations = [
        migrations.AlterField(
            model_name="usageevent",
            name="received_at",
            field=models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), verbose_name="received"),
        ),
    ]
