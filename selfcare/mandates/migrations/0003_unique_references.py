"""Give every existing mandate its own reference, then make references unique (a column default would have given
all existing rows the same one)."""

import uuid

from django.db import migrations, models


def fresh_references(apps, schema_editor):
    Mandate = apps.get_model("mandates", "Mandate")
    for mandate in Mandate.objects.all():
        mandate.reference = uuid.uuid4()
        mandate.save(update_fields=["reference"])


class Migration(migrations.Migration):
    dependencies = [("mandates", "0002_lifecycle_documents_representatives")]

    operations = [
        migrations.RunPython(fresh_references, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="mandate",
            name="reference",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name="reference"),
        ),
    ]
