"""The database backend's rate counters skip PostgreSQL's write-ahead log: every API call and token request updates
one, and a logged update waits for the log to reach the disk at commit (milliseconds on a busy machine). A counter
is worth nothing after a crash (PostgreSQL empties unlogged tables then) and is not wanted on a standby: the limits
start again, as they do when Redis, the production backend, restarts. SQLite has no such thing: nothing to do."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def unlogged(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('ALTER TABLE "security_ratecounter" SET UNLOGGED')


def logged(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('ALTER TABLE "security_ratecounter" SET LOGGED')


class Migration(migrations.Migration):
    dependencies = [("security", "0002_known_device_digest_index")]

    operations = [migrations.RunPython(unlogged, logged, elidable=False)]
