import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# Issue 22: every index is paid by every row a roster import writes. The varchar_pattern_ops
# copies Django adds beside a unique or db_index varchar (`*_like`) serve LIKE 'prefix%' only;
# these three columns are only ever compared whole (the blind index, the card number, the
# mobile number: members.selectors, aid, outreach, evaluation), so the copies go.
LIKE_COPIES = [
    ("members_person", "id_hash"),
    ("members_person", "phone"),
    ("members_membership", "card_number"),
]


def drop_like_copies(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in LIKE_COPIES:
        name = schema_editor._create_index_name(table, [column], suffix="_like")
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def restore_like_copies(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in LIKE_COPIES:
        name = schema_editor._create_index_name(table, [column], suffix="_like")
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}" varchar_pattern_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0009_saved_filters"),
        ("orgs", "0004_employer_name_search"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(drop_like_copies, restore_like_copies),
        migrations.AlterField(
            model_name="membership",
            name="union",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="memberships",
                to="orgs.org",
                verbose_name="所在工会",
            ),
        ),
        migrations.AlterField(
            model_name="membershipevent",
            name="other_union",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orgs.org",
            ),
        ),
        migrations.AlterField(
            model_name="membershipevent",
            name="union",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orgs.org",
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="member_union",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orgs.org",
                verbose_name="会籍所在工会",
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="name",
            field=models.CharField(max_length=64, verbose_name="姓名"),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                fields=["name"], name="person_name_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ),
    ]
