"""Unique keys in the form Citus accepts (docs/scale.md): each contains the union, which the
rows' hardship file already determines, so every rule refuses exactly what it refused before."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("aid", "0004_history_base"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="householdmember", name="aid_member_once_per_file"),
        migrations.AddConstraint(
            model_name="householdmember",
            constraint=models.UniqueConstraint(fields=("file", "id_hash", "union"),
                                               name="aid_member_once_per_file"),
        ),
        migrations.RemoveConstraint(model_name="householdmember", name="aid_one_applicant"),
        migrations.AddConstraint(
            model_name="householdmember",
            constraint=models.UniqueConstraint(condition=models.Q(("relation", "self")),
                                               fields=("file", "union"),
                                               name="aid_one_applicant"),
        ),
        migrations.RemoveConstraint(model_name="filecause", name="aid_cause_once"),
        migrations.AddConstraint(
            model_name="filecause",
            constraint=models.UniqueConstraint(fields=("file", "cause", "union"),
                                               name="aid_cause_once"),
        ),
        migrations.RemoveConstraint(model_name="beneficiary",
                                    name="aid_beneficiary_once_per_file"),
        migrations.AddConstraint(
            model_name="beneficiary",
            constraint=models.UniqueConstraint(fields=("programme", "file", "union"),
                                               name="aid_beneficiary_once_per_file"),
        ),
    ]
