"""Citus (docs/scale.md, core/citus.py): a settlement record's two cross-union keys move to
claim rows keyed by the settlement number and by the stay's fingerprint (primary keys, so Citus
accepts them as distributed tables), and each record gets its queue lane (the distribution
column of the records on Citus). Existing records get their lane and their two claim rows."""

from django.db import migrations, models

LANES = 64  # models.settlements.LANES at the time of this migration


def backfill(apps, schema_editor):
    Record = apps.get_model("mutualaid", "SettlementRecord")
    Number = apps.get_model("mutualaid", "SettlementNumber")
    Stay = apps.get_model("mutualaid", "SettlementStay")
    last = 0
    while True:
        chunk = list(Record.objects.filter(id__gt=last).order_by("id")
                     .only("id", "id_hash", "settlement_no", "fingerprint")[:5000])
        if not chunk:
            return
        last = chunk[-1].id
        for record in chunk:
            record.lane = int(record.id_hash[:8], 16) % LANES
        Record.objects.bulk_update(chunk, ["lane"], batch_size=1000)
        Number.objects.bulk_create([Number(settlement_no=r.settlement_no,
                                           fingerprint=r.fingerprint) for r in chunk])
        Stay.objects.bulk_create([Stay(fingerprint=r.fingerprint,
                                       settlement_no=r.settlement_no) for r in chunk])


class Migration(migrations.Migration):

    dependencies = [
        ("mutualaid", "0007_citus_keys"),
    ]

    operations = [
        migrations.CreateModel(
            name="SettlementNumber",
            fields=[
                ("settlement_no", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("fingerprint", models.CharField(max_length=32)),
            ],
            options={
                "verbose_name": "结算单号",
                "verbose_name_plural": "结算单号",
            },
        ),
        migrations.CreateModel(
            name="SettlementStay",
            fields=[
                ("fingerprint", models.CharField(max_length=32, primary_key=True, serialize=False)),
                ("settlement_no", models.CharField(max_length=64)),
            ],
            options={
                "verbose_name": "住院指纹",
                "verbose_name_plural": "住院指纹",
            },
        ),
        migrations.AddField(
            model_name="settlementrecord",
            name="lane",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="settlementrecord",
            name="fingerprint",
            field=models.CharField(max_length=32),
        ),
        migrations.AlterField(
            model_name="settlementrecord",
            name="settlement_no",
            field=models.CharField(db_index=True, max_length=64, verbose_name="结算单号"),
        ),
    ]
