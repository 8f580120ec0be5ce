"""evaluation on Citus (docs/scale.md): an answer carries its response's union (the
distribution column of responses and answers), added nullable, filled from the response, then
NOT NULL."""

import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    with schema_editor.connection.cursor() as c:
        c.execute("UPDATE evaluation_answer SET union_id = (SELECT r.union_id "
                  "FROM evaluation_response r WHERE r.id = evaluation_answer.response_id) "
                  "WHERE union_id IS NULL")


def _union(null: bool) -> models.ForeignKey:
    return models.ForeignKey(null=null, on_delete=django.db.models.deletion.PROTECT,
                             related_name="+", to="orgs.org")


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0002_result_counts"),
        ("orgs", "0001_initial"),
    ]

    operations = [
        migrations.AddField(model_name="answer", name="union", field=_union(True)),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(model_name="answer", name="union", field=_union(False)),
    ]
