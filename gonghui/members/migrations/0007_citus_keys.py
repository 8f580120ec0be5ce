"""Unique keys in the form Citus accepts (docs/scale.md): each contains the union, which the
rows' membership already determines, so every rule refuses exactly what it refused before."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0006_selfservice"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="transfer",
                                    name="transfer_one_pending_per_membership"),
        migrations.AddConstraint(
            model_name="transfer",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "pending")), fields=("membership", "from_union"),
                name="transfer_one_pending_per_membership"),
        ),
        migrations.RemoveConstraint(model_name="synccandidate", name="synccandidate_once_per_job"),
        migrations.AddConstraint(
            model_name="synccandidate",
            constraint=models.UniqueConstraint(fields=("import_job_id", "membership", "union"),
                                               name="synccandidate_once_per_job"),
        ),
        migrations.RemoveConstraint(model_name="selfservicerequest",
                                    name="selfservice_one_pending_per_kind"),
        migrations.AddConstraint(
            model_name="selfservicerequest",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "pending")), fields=("membership", "kind", "union"),
                name="selfservice_one_pending_per_kind"),
        ),
    ]
