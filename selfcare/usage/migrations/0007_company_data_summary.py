"""Company data summaries, and the triggers that mark them stale when what they sum changes.

Triggers rather than code in ingestion: every writer of buckets, connections, accounts and plans (ingestion, orders,
the back office, the demo, a manual fix in SQL) marks the summaries stale without knowing about them. Each trigger
first asks whether any summary is fresh at all, so a busy import pays one read of a tiny table per statement, and
the row locks of the marking are taken at most once per refresh. On PostgreSQL the bucket triggers are statement
triggers over the changed rows (transition tables); SQLite has only row triggers.
"""

import django.db.models.deletion
from django.db import migrations, models

SUMMARY = "usage_companydatasummary"
# Companies of the connections in `changed` (a bucket's rows: connection_id).
COMPANIES_OF_BUCKETS = (
    "SELECT a.company_id FROM customers_connection c JOIN customers_customeraccount a ON a.id = c.account_id "
    "WHERE c.id IN (SELECT connection_id FROM changed)"
)
# Tables whose changes move which connections a company has or what their plans allow: rare writes, so every
# summary is marked.
EVERY_SUMMARY = {
    "customers_connection": "INSERT OR DELETE OR UPDATE OF status, account_id, tariff_plan_id",
    "customers_customeraccount": "UPDATE OF company_id, billing_cycle_day",
    "customers_tariffplan": "UPDATE OF data_bytes",
}

POSTGRESQL = [
    f"""CREATE FUNCTION usage_summary_stale_by_buckets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM {SUMMARY} WHERE NOT stale) THEN
        UPDATE {SUMMARY} SET stale = true WHERE NOT stale AND company_id IN ({COMPANIES_OF_BUCKETS});
    END IF;
    RETURN NULL;
END $$""",
    f"""CREATE FUNCTION usage_summary_stale_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {SUMMARY} SET stale = true WHERE NOT stale;
    RETURN NULL;
END $$""",
    "CREATE TRIGGER usage_summary_bucket_insert AFTER INSERT ON usage_bucket REFERENCING NEW TABLE AS changed "
    "FOR EACH STATEMENT EXECUTE FUNCTION usage_summary_stale_by_buckets()",
    "CREATE TRIGGER usage_summary_bucket_update AFTER UPDATE ON usage_bucket REFERENCING NEW TABLE AS changed "
    "FOR EACH STATEMENT EXECUTE FUNCTION usage_summary_stale_by_buckets()",
    "CREATE TRIGGER usage_summary_bucket_delete AFTER DELETE ON usage_bucket REFERENCING OLD TABLE AS changed "
    "FOR EACH STATEMENT EXECUTE FUNCTION usage_summary_stale_by_buckets()",
    *(
        f"CREATE TRIGGER usage_summary_{table} AFTER {events} ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION usage_summary_stale_all()"
        for table, events in EVERY_SUMMARY.items()
    ),
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER usage_summary_bucket_insert ON usage_bucket",
    "DROP TRIGGER usage_summary_bucket_update ON usage_bucket",
    "DROP TRIGGER usage_summary_bucket_delete ON usage_bucket",
    *(f"DROP TRIGGER usage_summary_{table} ON {table}" for table in EVERY_SUMMARY),
    "DROP FUNCTION usage_summary_stale_by_buckets()",
    "DROP FUNCTION usage_summary_stale_all()",
]

_SQLITE_FRESH = f"WHEN EXISTS (SELECT 1 FROM {SUMMARY} WHERE stale = 0)"
_SQLITE_BUCKET = (
    f"UPDATE {SUMMARY} SET stale = 1 WHERE stale = 0 AND company_id = (SELECT a.company_id FROM customers_connection c "
    "JOIN customers_customeraccount a ON a.id = c.account_id WHERE c.id = {row}.connection_id)"
)
SQLITE = [
    *(
        f"CREATE TRIGGER usage_summary_bucket_{event.lower()} AFTER {event} ON usage_bucket FOR EACH ROW "
        f"{_SQLITE_FRESH} BEGIN {_SQLITE_BUCKET.format(row=row)}; END"
        for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD"))
    ),
    *(
        f"CREATE TRIGGER usage_summary_{table}_{event.split()[0].lower()} AFTER {event} ON {table} FOR EACH ROW "
        f"{_SQLITE_FRESH} BEGIN UPDATE {SUMMARY} SET stale = 1 WHERE stale = 0; END"
        for table, events in EVERY_SUMMARY.items()
        for event in (e.strip() for e in events.split(" OR "))
    ),
]


def _statements(schema_editor: object, *, forward: bool) -> list[str]:
    vendor = schema_editor.connection.vendor  # type: ignore[attr-defined]
    if vendor == "postgresql":
        return POSTGRESQL if forward else POSTGRESQL_REVERSE
    if vendor == "sqlite":
        if forward:
            return SQLITE
        return [s.split(" AFTER ")[0].replace("CREATE TRIGGER", "DROP TRIGGER") for s in SQLITE]
    raise NotImplementedError(f"company data summary triggers for {vendor}")


def create_triggers(apps: object, schema_editor: object) -> None:
    for statement in _statements(schema_editor, forward=True):
        schema_editor.execute(statement, params=None)  # type: ignore[attr-defined]


def drop_triggers(apps: object, schema_editor: object) -> None:
    for statement in _statements(schema_editor, forward=False):
        schema_editor.execute(statement, params=None)  # type: ignore[attr-defined]


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0003_connection_state_from_orders'),
        ('usage', '0006_out_of_bundle_rates_and_cycle_spend'),
    ]

    operations = [
        migrations.CreateModel(
            name='CompanyDataSummary',
            fields=[
                ('company', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='customers.company', verbose_name='company')),
                ('connections', models.IntegerField(default=0, verbose_name='connections')),
                ('left', models.BigIntegerField(default=0, verbose_name='data left')),
                ('unlimited', models.IntegerField(default=0, verbose_name='numbers with unlimited data')),
                ('near_limit', models.IntegerField(default=0, verbose_name='numbers near their limit')),
                ('computed_at', models.DateTimeField(blank=True, null=True, verbose_name='computed at')),
                ('stale', models.BooleanField(default=False, verbose_name='stale')),
            ],
            options={
                'verbose_name': 'company data summary',
                'verbose_name_plural': 'company data summaries',
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
