from django.db import migrations

PATH_COLUMNS = [
    ("members_membership", "union_path"),
    ("members_orgmemberstats", "org_path"),
    ("members_orgmembermonth", "org_path"),
]


def forwards(apps, schema_editor):
    """PostgreSQL only (SQLite's BINARY collation already compares byte-wise):

    - materialised paths get collation "C", so a btree on the path answers `LIKE 'prefix%'` as a
      range AND gives the ORDER BY of subtree lists (membership_path_id serves both);
    - the per-union counter index INCLUDEs the counters: a subtree's SUM is an index-only scan.
    """
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in PATH_COLUMNS:
        schema_editor.execute(
            f'ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar(255) COLLATE "C"'
        )
    schema_editor.execute("DROP INDEX orgmemberstats_path")
    schema_editor.execute(
        "CREATE INDEX orgmemberstats_path ON members_orgmemberstats (org_path) "
        "INCLUDE (active, retired, new_employment)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX orgmemberstats_path")
    schema_editor.execute("CREATE INDEX orgmemberstats_path ON members_orgmemberstats (org_path)")
    for table, column in PATH_COLUMNS:
        schema_editor.execute(
            f'ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar(255) COLLATE "default"'
        )


class Migration(migrations.Migration):

    dependencies = [("members", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
