"""Citus (docs/scale.md, core/citus.py): a household once per programme across unions
(`aid_beneficiary_once_per_person`) gets a claim table keyed by (programme, applicant hash),
distributed by the applicant hash on Citus, where the union-distributed list rows cannot hold
the key. Every existing list row (any status) gets its claim."""

import django.db.models.deletion
from django.db import migrations, models


def backfill(apps, schema_editor):
    Beneficiary = apps.get_model("aid", "Beneficiary")
    BeneficiaryClaim = apps.get_model("aid", "BeneficiaryClaim")
    last = 0
    while True:
        chunk = list(Beneficiary.objects.filter(id__gt=last).order_by("id")
                     .values_list("id", "programme_id", "applicant_hash")[:5000])
        if not chunk:
            return
        last = chunk[-1][0]
        BeneficiaryClaim.objects.bulk_create(
            [BeneficiaryClaim(programme_id=programme, applicant_hash=applicant)
             for _id, programme, applicant in chunk], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("aid", "0005_citus_keys"),
    ]

    operations = [
        migrations.CreateModel(
            name="BeneficiaryClaim",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("applicant_hash", models.CharField(max_length=64)),
                ("programme", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                                related_name="+", to="aid.programme")),
            ],
            options={
                "verbose_name": "帮扶对象占用",
                "verbose_name_plural": "帮扶对象占用",
                "constraints": [models.UniqueConstraint(fields=("programme", "applicant_hash"),
                                                        name="aid_beneficiary_claim_once")],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
