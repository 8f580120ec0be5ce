import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def backfill(apps, schema_editor):
    """A history row for every org closed before histories existed, from its audit event."""
    Org = apps.get_model("orgs", "Org")
    OrgHistory = apps.get_model("orgs", "OrgHistory")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    for org in Org.objects.exclude(status="active").iterator():
        event = (AuditEvent.objects.filter(object_type="orgs.org", object_id=str(org.pk),
                                           action__in=["org.merge", "org.dissolve"])
                 .order_by("-at").first())
        OrgHistory.objects.create(
            org=org, from_status="active", to_status=org.status,
            actor_id=event.actor_id if event else None,
            actor_name=event.actor_name if event else "system",
            at=event.at if event else org.updated_at, reason=event.note if event else "",
        )


class Migration(migrations.Migration):

    dependencies = [
        ("orgs", "0002_path_collation_c"),
        ("audit", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="OrgHistory",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("from_status", models.CharField(blank=True, max_length=32, verbose_name="原状态")),
                ("to_status", models.CharField(max_length=32, verbose_name="新状态")),
                ("actor_name", models.CharField(max_length=150, verbose_name="操作人")),
                ("at", models.DateTimeField(verbose_name="时间")),
                ("reason", models.CharField(blank=True, max_length=500, verbose_name="原因/说明")),
                ("actor", models.ForeignKey(blank=True, null=True,
                                            on_delete=django.db.models.deletion.SET_NULL,
                                            related_name="+", to=settings.AUTH_USER_MODEL)),
                ("org", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                          related_name="history", to="orgs.org")),
            ],
            options={
                "verbose_name": "组织状态变更",
                "verbose_name_plural": "组织状态变更",
                "ordering": ["at", "id"],
                "abstract": False,
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
