"""The file timeline and the programme status history on core.workflow.HistoryBase.

FileActivity keeps its table and columns (status_from / status_to stay the column names; the
fields are renamed to the shared from_status / to_status). Programmes kept their status history
only in the audit trail: ProgrammeHistory is new and is filled from those audit rows."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FILE_STATUSES = [("draft", "填报中"), ("submitted", "待核实"), ("active", "在档帮扶"),
                 ("exited", "已脱困"), ("rejected", "不予建档"), ("closed", "已销档")]


def programme_history_from_audit(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    Programme = apps.get_model("aid", "Programme")
    ProgrammeHistory = apps.get_model("aid", "ProgrammeHistory")
    known = set(Programme.objects.values_list("pk", flat=True))
    rows = []
    events = AuditEvent.objects.filter(
        object_type="aid.programme",
        action__in=["aid.programme.approved", "aid.programme.closed"]).order_by("at", "id")
    for event in events.iterator():
        if not event.object_id.isdigit() or int(event.object_id) not in known:
            continue
        rows.append(ProgrammeHistory(
            programme_id=int(event.object_id),
            from_status=str((event.before or {}).get("status", ""))[:32],
            to_status=str((event.after or {}).get("status", ""))[:32],
            actor_id=event.actor_id, actor_name=event.actor_name, at=event.at,
            reason=(event.note or "")[:500]))
    ProgrammeHistory.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ("aid", "0003_file_fillfactor"),
        ("audit", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField("fileactivity", "status_from", "from_status"),
        migrations.RenameField("fileactivity", "status_to", "to_status"),
        migrations.AlterField(
            model_name="fileactivity",
            name="from_status",
            field=models.CharField(blank=True, choices=FILE_STATUSES, db_column="status_from",
                                   max_length=32, verbose_name="原状态"),
        ),
        migrations.AlterField(
            model_name="fileactivity",
            name="to_status",
            field=models.CharField(blank=True, choices=FILE_STATUSES, db_column="status_to",
                                   max_length=32, verbose_name="新状态"),
        ),
        migrations.AlterField(
            model_name="fileactivity",
            name="actor",
            field=models.ForeignKey(blank=True, null=True,
                                    on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="+", to=settings.AUTH_USER_MODEL),
        ),
        migrations.CreateModel(
            name="ProgrammeHistory",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("from_status", models.CharField(blank=True, max_length=32,
                                                 verbose_name="原状态")),
                ("to_status", models.CharField(max_length=32, verbose_name="新状态")),
                ("actor_name", models.CharField(max_length=150, verbose_name="操作人")),
                ("at", models.DateTimeField(verbose_name="时间")),
                ("reason", models.CharField(blank=True, max_length=500,
                                            verbose_name="原因/说明")),
                ("actor", models.ForeignKey(blank=True, null=True,
                                            on_delete=django.db.models.deletion.SET_NULL,
                                            related_name="+", to=settings.AUTH_USER_MODEL)),
                ("programme", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                related_name="history", to="aid.programme")),
            ],
            options={
                "verbose_name": "帮扶项目状态记录",
                "verbose_name_plural": "帮扶项目状态记录",
                "ordering": ["at", "id"],
                "abstract": False,
            },
        ),
        migrations.RunPython(programme_history_from_audit, migrations.RunPython.noop),
    ]
