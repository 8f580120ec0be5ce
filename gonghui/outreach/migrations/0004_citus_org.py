"""Citus (docs/scale.md): the rows under an activity, an announcement and a course carry its
org (the distribution column), filled from the parent row, then NOT NULL; the unique keys
contain it (a function of the activity / announcement / course, so they refuse the same rows)."""

import django.db.models.deletion
from django.db import migrations, models

# (model, parent model, parent field), in fill order (a parent before its children)
ROWS = [
    ("activityhistory", "activity", "activity"),
    ("signup", "activity", "activity"),
    ("signuphistory", "signup", "signup"),
    ("announcementhistory", "announcement", "announcement"),
    ("receipt", "announcement", "announcement"),
    ("coursesession", "course", "course"),
    ("enrolment", "course", "course"),
    ("attendance", "coursesession", "session"),
]
KEYS = [  # (model, constraint, fields, condition)
    ("signup", "signup_one_live_per_user", ("activity", "user", "org"),
     models.Q(("status__in", ["confirmed", "waiting"]))),
    ("receipt", "receipt_one_per_user", ("announcement", "user", "org"), None),
    ("enrolment", "enrolment_once", ("course", "user", "org"), None),
    ("attendance", "attendance_once", ("session", "user", "org"), None),
]


def fill(apps, schema_editor):
    for model, parent, fk in ROWS:
        Model = apps.get_model("outreach", model)
        Parent = apps.get_model("outreach", parent)
        Model.objects.update(org_id=models.Subquery(
            Parent.objects.filter(pk=models.OuterRef(f"{fk}_id")).values("org_id")[:1]))


def _field(null: bool) -> models.ForeignKey:
    return models.ForeignKey(editable=False, null=null, on_delete=django.db.models.deletion.PROTECT,
                             related_name="+", to="orgs.org")


def _key(fields, name, condition) -> models.UniqueConstraint:
    if condition is None:
        return models.UniqueConstraint(fields=fields, name=name)
    return models.UniqueConstraint(condition=condition, fields=fields, name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("outreach", "0003_station_photo"),
        ("orgs", "0003_org_history"),
    ]

    operations = [
        *(migrations.RemoveConstraint(model_name=model, name=name)
          for model, name, _f, _c in KEYS),
        *(migrations.AddField(model_name=model, name="org", field=_field(True))
          for model, *_rest in ROWS),
        migrations.RunPython(fill, migrations.RunPython.noop),
        *(migrations.AlterField(model_name=model, name="org", field=_field(False))
          for model, *_rest in ROWS),
        *(migrations.AddConstraint(model_name=model, constraint=_key(fields, name, condition))
          for model, name, fields, condition in KEYS),
    ]
