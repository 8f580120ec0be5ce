# FindingEvent becomes a core.workflow.HistoryBase: `note` is renamed `reason` (the rows keep
# their text, still up to 2000 characters), `actor_name` is added and filled from the user, the
# actor becomes nullable (SET_NULL: a system actor has no user), the status columns widen to 32.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill_actor_names(apps, schema_editor):
    FindingEvent = apps.get_model("funds", "FindingEvent")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    names = dict(User.objects.filter(
        pk__in=FindingEvent.objects.values("actor_id")).values_list("pk", "username"))
    for event in FindingEvent.objects.filter(actor_name="").only("pk", "actor_id"):
        event.actor_name = str(names.get(event.actor_id, "system"))[:150]
        event.save(update_fields=["actor_name"])


class Migration(migrations.Migration):

    dependencies = [
        ('funds', '0004_dues'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='findingevent',
            options={'ordering': ['at', 'id'], 'verbose_name': '审计意见记录', 'verbose_name_plural': '审计意见记录'},
        ),
        migrations.RenameField(
            model_name='findingevent',
            old_name='note',
            new_name='reason',
        ),
        migrations.AlterField(
            model_name='findingevent',
            name='reason',
            field=models.TextField(blank=True, max_length=2000, verbose_name='原因/说明'),
        ),
        migrations.AddField(
            model_name='findingevent',
            name='actor_name',
            field=models.CharField(default='', max_length=150, verbose_name='操作人'),
            preserve_default=False,
        ),
        migrations.RunPython(fill_actor_names, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='findingevent',
            name='actor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='findingevent',
            name='at',
            field=models.DateTimeField(verbose_name='时间'),
        ),
        migrations.AlterField(
            model_name='findingevent',
            name='from_status',
            field=models.CharField(blank=True, max_length=32, verbose_name='原状态'),
        ),
        migrations.AlterField(
            model_name='findingevent',
            name='to_status',
            field=models.CharField(max_length=32, verbose_name='新状态'),
        ),
    ]
