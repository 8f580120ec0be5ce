"""The chunk fingerprints of re-runs (issue 22, `roster.fingerprints`): a PostgreSQL-only cache
table, UNLOGGED like the row fingerprints (a crash empties it: re-runs get slower, not wrong).
SQLite has no `xmin` and takes no fingerprint at all, so the table is not created there."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE UNLOGGED TABLE roster_chunkfingerprint ("
        " digest bytea PRIMARY KEY,"
        " as_of date NOT NULL,"
        " person_ids bigint[] NOT NULL,"
        " membership_ids bigint[] NOT NULL,"
        " person_stamps bigint[] NOT NULL,"
        " membership_stamps bigint[] NOT NULL)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TABLE IF EXISTS roster_chunkfingerprint")


class Migration(migrations.Migration):

    dependencies = [
        ("roster", "0003_row_fingerprint"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]
