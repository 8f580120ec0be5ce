"""Citus (docs/scale.md): the exactly-once keys contain the union (the payout's, which its
settlement and plan already determine), and bank items and payee accounts carry a union,
filled from their payout resp. the person's union or latest enrolment."""

import django.db.models.deletion
from django.db import migrations, models


def fill_union(apps, schema_editor):
    BatchItem = apps.get_model("mutualaid", "BatchItem")
    Payout = apps.get_model("mutualaid", "Payout")
    PayeeAccount = apps.get_model("mutualaid", "PayeeAccount")
    Person = apps.get_model("members", "Person")
    Enrolment = apps.get_model("mutualaid", "Enrolment")
    BatchItem.objects.update(union_id=models.Subquery(
        Payout.objects.filter(pk=models.OuterRef("payout_id")).values("union_id")[:1]))
    PayeeAccount.objects.update(union_id=models.Subquery(
        Person.objects.filter(pk=models.OuterRef("person_id")).values("member_union_id")[:1]))
    PayeeAccount.objects.filter(union_id__isnull=True).update(union_id=models.Subquery(
        Enrolment.objects.filter(person_id=models.OuterRef("person_id"))
        .order_by("-plan_year", "-id").values("union_id")[:1]))


def not_null(model: str):
    return migrations.AlterField(
        model_name=model, name="union",
        field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                to="orgs.org", **({"db_index": False} if model == "batchitem"
                                                  else {})),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("mutualaid", "0006_history_base"),
        ("members", "0007_citus_keys"),
        ("orgs", "0003_org_history"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="payout", name="ma_payout_once_per_settlement"),
        migrations.AddConstraint(
            model_name="payout",
            constraint=models.UniqueConstraint(fields=("settlement", "plan", "union"),
                                               name="ma_payout_once_per_settlement"),
        ),
        migrations.AddField(
            model_name="batchitem", name="union",
            field=models.ForeignKey(db_index=False, null=True,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="orgs.org"),
        ),
        migrations.AddField(
            model_name="payeeaccount", name="union",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="orgs.org"),
        ),
        migrations.RunPython(fill_union, migrations.RunPython.noop),
        not_null("batchitem"),
        not_null("payeeaccount"),
        migrations.RemoveConstraint(model_name="batchitem", name="ma_item_once_per_batch"),
        migrations.AddConstraint(
            model_name="batchitem",
            constraint=models.UniqueConstraint(fields=("batch", "payout", "union"),
                                               name="ma_item_once_per_batch"),
        ),
        migrations.RemoveConstraint(model_name="batchitem", name="ma_item_one_live_per_payout"),
        migrations.AddConstraint(
            model_name="batchitem",
            constraint=models.UniqueConstraint(
                condition=models.Q(("result__in", ["pending", "paid"])),
                fields=("payout", "union"), name="ma_item_one_live_per_payout"),
        ),
    ]
