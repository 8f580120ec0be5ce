"""Citus (docs/scale.md, core/citus.py): the two cross-union keys of enrolments and payee
accounts — one enrolment per person, plan and year (`ma_enrolment_once_per_year`), one current
account per person (`ma_payee_one_current`) — get claim tables keyed by the unique value
(distributed by the person on Citus, where the union-distributed rows cannot hold the keys).
Existing rows get their claims: every enrolment (any status) and every current account."""

import django.db.models.deletion
from django.db import migrations, models


def backfill(apps, schema_editor):
    Enrolment = apps.get_model("mutualaid", "Enrolment")
    EnrolmentClaim = apps.get_model("mutualaid", "EnrolmentClaim")
    PayeeAccount = apps.get_model("mutualaid", "PayeeAccount")
    CurrentPayeeClaim = apps.get_model("mutualaid", "CurrentPayeeClaim")
    last = 0
    while True:
        chunk = list(Enrolment.objects.filter(id__gt=last).order_by("id")
                     .values_list("id", "person_id", "plan_id", "plan_year")[:5000])
        if not chunk:
            break
        last = chunk[-1][0]
        EnrolmentClaim.objects.bulk_create(
            [EnrolmentClaim(person_id=person, plan_id=plan, plan_year=year)
             for _id, person, plan, year in chunk], batch_size=1000)
    last = 0
    while True:
        accounts = list(PayeeAccount.objects.filter(id__gt=last, is_current=True).order_by("id")
                        .values_list("id", "person_id")[:5000])
        if not accounts:
            break
        last = accounts[-1][0]
        CurrentPayeeClaim.objects.bulk_create(
            [CurrentPayeeClaim(person_id=person, account_id=pk) for pk, person in accounts],
            batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ("members", "0007_citus_keys"),
        ("mutualaid", "0008_settlement_claims"),
    ]

    operations = [
        migrations.CreateModel(
            name="EnrolmentClaim",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("plan_year", models.PositiveSmallIntegerField()),
                ("person", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                             related_name="+", to="members.person")),
                ("plan", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                           related_name="+", to="mutualaid.plan")),
            ],
            options={
                "verbose_name": "参保年度占用",
                "verbose_name_plural": "参保年度占用",
                "constraints": [models.UniqueConstraint(fields=("person", "plan", "plan_year"),
                                                        name="ma_enrolment_claim_once")],
            },
        ),
        migrations.CreateModel(
            name="CurrentPayeeClaim",
            fields=[
                ("person", models.OneToOneField(
                    on_delete=django.db.models.deletion.PROTECT, primary_key=True,
                    related_name="+", serialize=False, to="members.person")),
                ("account", models.ForeignKey(
                    null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                    to="mutualaid.payeeaccount")),
            ],
            options={
                "verbose_name": "当前收款账户",
                "verbose_name_plural": "当前收款账户",
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
