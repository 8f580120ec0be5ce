"""Issue 23 (Citus): the card-number claim table (`members.CardNumberClaim`), filled from every
membership that has a card number. On one node the membership's unique key and the claim both
refuse a second holder; on Citus the claim, distributed by the number, carries the rule across
unions (docs/scale.md, core/citus.py CROSS_UNION_UNIQUES)."""

import django.db.models.deletion
from django.db import migrations, models


def backfill(apps, schema_editor):
    # one statement: a 10 M-member registry is copied on the server, not through Python
    schema_editor.execute(
        "INSERT INTO members_cardnumberclaim (card_number, membership_id) "
        "SELECT card_number, id FROM members_membership WHERE card_number IS NOT NULL")


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0011_count_covering"),
    ]

    operations = [
        migrations.CreateModel(
            name="CardNumberClaim",
            fields=[
                ("card_number", models.CharField(max_length=20, primary_key=True,
                                                 serialize=False, verbose_name="会员证号")),
                ("membership", models.ForeignKey(
                    db_constraint=False, db_index=False,
                    on_delete=django.db.models.deletion.DO_NOTHING, related_name="+",
                    to="members.membership", verbose_name="会籍")),
            ],
            options={
                "verbose_name": "会员证号占用",
                "verbose_name_plural": "会员证号占用",
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
