from django.db import migrations

# Issue 23 (the load test): a filtered member list's total — gender, age band, 会龄 band over a
# street's ~40,000 memberships — read every membership row and then every person row from the
# heap, 150–400 ms per COUNT on the 10 M city (docs/scale.md), one server process held while
# other pages waited. With the filtered columns carried in the indexes the COUNT is an
# index-only scan of the subtree's range joined to index-only probes of the people (30–60 ms for
# three filters). PostgreSQL only: SQLite has no INCLUDE and counts small databases anyway.
# CONCURRENTLY, so an upgrade of a city's database does not stop writes while the indexes build.

PATH_COVER = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS membership_path_cover ON members_membership "
    "(union_path, id) INCLUDE (status, person_id, seniority_since)"
)
PERSON_COVER = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS person_id_cover ON members_person "
    "(id) INCLUDE (gender, birth_date)"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # the subtree index keeps its name (the model's Meta declares it; SQLite has it plain)
    schema_editor.execute(PATH_COVER)
    schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS membership_path_id")
    schema_editor.execute("ALTER INDEX membership_path_cover RENAME TO membership_path_id")
    schema_editor.execute(PERSON_COVER)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS person_id_cover")
    schema_editor.execute(
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS membership_path_plain ON members_membership "
        "(union_path, id)"
    )
    schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS membership_path_id")
    schema_editor.execute("ALTER INDEX membership_path_plain RENAME TO membership_path_id")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("members", "0010_import_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
