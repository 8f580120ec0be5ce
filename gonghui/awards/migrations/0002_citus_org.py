"""Citus (docs/scale.md): entries and scores carry their competition's organiser, nominations
with their history and attachments their scheme's issuing union (the distribution column),
filled from the parent row, then NOT NULL; the unique keys contain it (it is a function of the
competition resp. scheme, so they refuse the same rows)."""

import django.db.models.deletion
from django.db import migrations, models

# (model, parent model, parent field), in fill order (a parent before its children)
ROWS = [
    ("entry", "competition", "competition"),
    ("score", "entry", "entry"),
    ("nomination", "honourscheme", "scheme"),
    ("nominationhistory", "nomination", "nomination"),
    ("nominationattachment", "nomination", "nomination"),
]
LIVE = ["submitted", "returned", "shortlisted", "in_notice", "approved", "conferred"]


def fill(apps, schema_editor):
    for model, parent, fk in ROWS:
        Model = apps.get_model("awards", model)
        Parent = apps.get_model("awards", parent)
        Model.objects.update(org_id=models.Subquery(
            Parent.objects.filter(pk=models.OuterRef(f"{fk}_id")).values("org_id")[:1]))


def _field(null: bool, verbose_name: str | None = None) -> models.ForeignKey:
    extra = {"verbose_name": verbose_name} if verbose_name else {}
    return models.ForeignKey(editable=False, null=null, on_delete=django.db.models.deletion.PROTECT,
                             related_name="+", to="orgs.org", **extra)


NAMES = {"entry": "主办工会", "nomination": "评选工会"}


class Migration(migrations.Migration):
    dependencies = [
        ("awards", "0001_initial"),
        ("orgs", "0003_org_history"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="entry", name="awards_entry_person_once"),
        migrations.RemoveConstraint(model_name="nomination",
                                    name="awards_nominee_once_per_scheme"),
        migrations.RemoveConstraint(model_name="score", name="awards_score_once"),
        *(migrations.AddField(model_name=model, name="org",
                              field=_field(True, NAMES.get(model)))
          for model, *_rest in ROWS),
        migrations.RunPython(fill, migrations.RunPython.noop),
        *(migrations.AlterField(model_name=model, name="org",
                                field=_field(False, NAMES.get(model)))
          for model, *_rest in ROWS),
        migrations.AddConstraint(
            model_name="entry",
            constraint=models.UniqueConstraint(condition=models.Q(("person__isnull", False)),
                                               fields=("competition", "person", "org"),
                                               name="awards_entry_person_once"),
        ),
        migrations.AddConstraint(
            model_name="nomination",
            constraint=models.UniqueConstraint(condition=models.Q(("status__in", LIVE)),
                                               fields=("scheme", "nominee_key", "org"),
                                               name="awards_nominee_once_per_scheme"),
        ),
        migrations.AddConstraint(
            model_name="score",
            constraint=models.UniqueConstraint(
                fields=("entry", "criterion", "judge", "stage", "org"), name="awards_score_once"),
        ),
    ]
