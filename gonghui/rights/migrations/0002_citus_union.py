"""Citus (docs/scale.md): a case's history, referrals, hearings and documents carry the case's
union and a letter's history the letter's issuing union (the distribution column), filled from
the parent row; then NOT NULL."""

import django.db.models.deletion
from django.db import migrations, models

# (child model, its union field, parent model, parent field, parent's union field)
CHILDREN = [
    ("casehistory", "union", "case", "case", "union"),
    ("referral", "union", "case", "case", "union"),
    ("hearing", "union", "case", "case", "union"),
    ("casedocument", "union", "case", "case", "union"),
    ("letterhistory", "org", "letter", "letter", "org"),
]


def fill(apps, schema_editor):
    for child, own, parent, fk, parent_union in CHILDREN:
        Child = apps.get_model("rights", child)
        Parent = apps.get_model("rights", parent)
        Child.objects.update(**{f"{own}_id": models.Subquery(
            Parent.objects.filter(pk=models.OuterRef(f"{fk}_id"))
            .values(f"{parent_union}_id")[:1])})


def _field(null: bool) -> models.ForeignKey:
    return models.ForeignKey(editable=False, null=null, on_delete=django.db.models.deletion.PROTECT,
                             related_name="+", to="orgs.org")


class Migration(migrations.Migration):
    dependencies = [
        ("rights", "0001_initial"),
        ("orgs", "0003_org_history"),
    ]

    operations = [
        *(migrations.AddField(model_name=child, name=own, field=_field(True))
          for child, own, *_rest in CHILDREN),
        migrations.RunPython(fill, migrations.RunPython.noop),
        *(migrations.AlterField(model_name=child, name=own, field=_field(False))
          for child, own, *_rest in CHILDREN),
    ]
