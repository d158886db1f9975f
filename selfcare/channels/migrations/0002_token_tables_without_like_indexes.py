"""PostgreSQL: the token tables lose the LIKE-pattern indexes Django adds beside a unique text column.

Django gives every unique or indexed varchar a second, `varchar_pattern_ops` index for `LIKE 'prefix%'`. Tokens,
codes and digests are only ever looked up whole, so no query uses those indexes, and each is one more write on
every token issued: the access token's checksum (every refresh and code exchange), the authorization code (every
authorization) and the client login's code digest (every login of an app and every code exchange). The unique
indexes stay. On SQLite there is nothing to drop.

The indexes are found by their definition rather than by name, so a renamed index is still found; going back
creates them again under the name Django gives them.
"""

from django.db import migrations

# (table, column) whose LIKE-pattern index is dropped.
COLUMNS = [
    ("oauth2_provider_accesstoken", "token_checksum"),
    ("oauth2_provider_grant", "code"),
    ("channels_clientlogin", "code_digest"),
]


def _like_indexes(schema_editor, table, column):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s"
            " AND indexdef LIKE %s",
            [table, f"%({column} varchar_pattern_ops)%"],
        )
        return [name for (name,) in cursor.fetchall()]


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    for table, column in COLUMNS:
        for name in _like_indexes(schema_editor, table, column):
            schema_editor.execute(f"DROP INDEX IF EXISTS {quote(name)}")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    quote = schema_editor.quote_name
    for table, column in COLUMNS:
        if not _like_indexes(schema_editor, table, column):
            name = schema_editor._create_index_name(table, [column], suffix="_like")
            schema_editor.execute(
                f"CREATE INDEX {quote(name)} ON {quote(table)} ({quote(column)} varchar_pattern_ops)"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0001_client_login"),
        ("oauth2_provider", "0022_refreshtoken_token_family_index"),
    ]

    operations = [migrations.RunPython(drop, create, elidable=False)]
