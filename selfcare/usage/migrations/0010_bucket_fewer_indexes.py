"""Two of the bucket table's seven indexes go, on PostgreSQL: every batch of usage inserts and updates bucket rows,
and each index costs it. So does the key table's LIKE-pattern index, which Django adds to a text primary key and
no query uses (ids are looked up whole), one of the three indexes every recorded event's id is written to. (0005
meant to drop it, but Django creates that index with a migration's deferred statements, after 0005's own step ran,
so every database made by the migrations still has it.)

- `connection_id` alone: bucket_connection_cycle_idx (and bucket_one_plan_bucket) start with it and serve the same
  lookups;
- `source_key`: unique only where there is a key (gifts), so the plan's buckets, most of the rows, stay out of the
  index; and without unique=True's second, LIKE-pattern index, which no query uses.

On SQLite only Django's model state changes: its table would have to be rebuilt, which drops the company summary
triggers of 0007, and its column's UNIQUE already means the same (NULLs never clash).
"""

import django.db.models.deletion
from django.db import migrations, models

FORWARD = [
    "DROP INDEX IF EXISTS usage_bucket_connection_id_186ca19f",
    "ALTER TABLE usage_bucket DROP CONSTRAINT IF EXISTS usage_bucket_source_key_key",
    "DROP INDEX IF EXISTS usage_bucket_source_key_d27ac909_like",
    "CREATE UNIQUE INDEX bucket_source_key_unique ON usage_bucket (source_key) WHERE source_key IS NOT NULL",
    "DROP INDEX IF EXISTS usage_usageeventkey_source_key_81439566_like",
]
BACKWARD = [
    "CREATE INDEX usage_usageeventkey_source_key_81439566_like ON usage_usageeventkey "
    "(source_key varchar_pattern_ops)",
    "DROP INDEX IF EXISTS bucket_source_key_unique",
    "ALTER TABLE usage_bucket ADD CONSTRAINT usage_bucket_source_key_key UNIQUE (source_key)",
    "CREATE INDEX usage_bucket_source_key_d27ac909_like ON usage_bucket (source_key varchar_pattern_ops)",
    "CREATE INDEX usage_bucket_connection_id_186ca19f ON usage_bucket (connection_id)",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0003_connection_state_from_orders"),
        ("usage", "0009_bucket_fillfactor"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="bucket",
                    name="connection",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="buckets",
                        to="customers.connection",
                    ),
                ),
                migrations.AlterField(
                    model_name="bucket",
                    name="source_key",
                    field=models.CharField(blank=True, max_length=200, null=True, verbose_name="source key"),
                ),
                migrations.AddConstraint(
                    model_name="bucket",
                    constraint=models.UniqueConstraint(
                        condition=models.Q(("source_key__isnull", False)),
                        fields=("source_key",),
                        name="bucket_source_key_unique",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False)],
        )
    ]
