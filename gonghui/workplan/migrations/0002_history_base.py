"""MilestoneHistory onto core.workflow.HistoryBase (adds actor_name, filled from the user), and a
history of its own for sub-tasks (their moves were kept only in the audit table)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill_actor_name(apps, schema_editor):
    history = apps.get_model("workplan", "MilestoneHistory")
    for row in history.objects.select_related("actor").filter(actor_name=""):
        row.actor_name = (row.actor.username if row.actor_id else "system")[:150]
        row.save(update_fields=["actor_name"])


class Migration(migrations.Migration):

    dependencies = [
        ('workplan', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='milestonehistory',
            options={'ordering': ['at', 'id'], 'verbose_name': '节点状态记录', 'verbose_name_plural': '节点状态记录'},
        ),
        migrations.AddField(
            model_name='milestonehistory',
            name='actor_name',
            field=models.CharField(default='', max_length=150, verbose_name='操作人'),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name='milestonehistory',
            name='actor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='milestonehistory',
            name='at',
            field=models.DateTimeField(verbose_name='时间'),
        ),
        migrations.AlterField(
            model_name='milestonehistory',
            name='from_status',
            field=models.CharField(blank=True, max_length=32, verbose_name='原状态'),
        ),
        migrations.AlterField(
            model_name='milestonehistory',
            name='reason',
            field=models.CharField(blank=True, max_length=500, verbose_name='原因/说明'),
        ),
        migrations.AlterField(
            model_name='milestonehistory',
            name='to_status',
            field=models.CharField(max_length=32, verbose_name='新状态'),
        ),
        migrations.RunPython(fill_actor_name, migrations.RunPython.noop),
        migrations.CreateModel(
            name='SubTaskHistory',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('from_status', models.CharField(blank=True, max_length=32, verbose_name='原状态')),
                ('to_status', models.CharField(max_length=32, verbose_name='新状态')),
                ('actor_name', models.CharField(max_length=150, verbose_name='操作人')),
                ('at', models.DateTimeField(verbose_name='时间')),
                ('reason', models.CharField(blank=True, max_length=500, verbose_name='原因/说明')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('subtask', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='history', to='workplan.subtask')),
            ],
            options={
                'verbose_name': '分解任务状态记录',
                'verbose_name_plural': '分解任务状态记录',
                'ordering': ['at', 'id'],
                'abstract': False,
            },
        ),
    ]
