from django.db import migrations


def forwards(apps, schema_editor):
    """PostgreSQL only: the materialised path in collation "C" (byte order, as on SQLite), so the
    unique btree on `path` answers `LIKE 'prefix%'` as a range scan and gives ORDER BY path of a
    subtree from the same index. Member-scale tables copy paths in the same collation."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute('ALTER TABLE orgs_org ALTER COLUMN path TYPE varchar(255) COLLATE "C"')


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        'ALTER TABLE orgs_org ALTER COLUMN path TYPE varchar(255) COLLATE "default"'
    )


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
