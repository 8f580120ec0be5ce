"""Leave room on every page of the file table (PostgreSQL fillfactor 80) so that the frequent
updates of a file's figures — e.g. every open file of a city when its 低保 standard changes —
are HOT updates that touch none of the table's indexes."""

from django.db import migrations


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE aid_hardshipfile SET (fillfactor = 80)")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE aid_hardshipfile RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("aid", "0002_covering_indexes")]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]
