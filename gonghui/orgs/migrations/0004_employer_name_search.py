from django.db import migrations


def forwards(apps, schema_editor):
    """PostgreSQL only: the two indexes of the global search's employer lookup
    (`orgs.search.employer_search`), which at 500,000 employers otherwise scans the table:

    - a btree in pattern order on the name, for the beginning of a name (one or two characters);
    - a trigram GIN index on UPPER(name) — the expression Django's `icontains` compares — for a
      part of the name of three characters or more (pg_trgm hashes CJK trigrams as well).

    pg_trgm ships with PostgreSQL (contrib) and is a trusted extension: the database owner may
    create it."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS employer_name_prefix ON orgs_employer (name varchar_pattern_ops)"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS employer_name_trgm ON orgs_employer "
        "USING gin (UPPER(name::text) gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS employer_name_trgm")
    schema_editor.execute("DROP INDEX IF EXISTS employer_name_prefix")


class Migration(migrations.Migration):
    dependencies = [("orgs", "0003_org_history")]

    operations = [migrations.RunPython(forwards, backwards)]
