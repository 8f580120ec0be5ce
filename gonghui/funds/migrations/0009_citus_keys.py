"""Citus (docs/scale.md): the dues entry's unique key contains the union (which its dues list
determines), and a finding's history rows carry the finding's union, filled from it."""

import django.db.models.deletion
from django.db import migrations, models


def fill_union(apps, schema_editor):
    FindingEvent = apps.get_model("funds", "FindingEvent")
    Finding = apps.get_model("funds", "Finding")
    FindingEvent.objects.update(union_id=models.Subquery(
        Finding.objects.filter(pk=models.OuterRef("finding_id")).values("union_id")[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("funds", "0008_level_split"),
        ("orgs", "0003_org_history"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="duesentry", name="funds_duesentry_unique"),
        migrations.AddConstraint(
            model_name="duesentry",
            constraint=models.UniqueConstraint(fields=("dues_list", "membership", "union"),
                                               name="funds_duesentry_unique"),
        ),
        migrations.AddField(
            model_name="findingevent", name="union",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="orgs.org"),
        ),
        migrations.RunPython(fill_union, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="findingevent", name="union",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="orgs.org"),
        ),
    ]
