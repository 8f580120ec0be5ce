"""democracy on Citus (docs/scale.md): the member-scale rows — voters, credentials, ballots,
representatives, their attendance and contact records, proposals with their history,
co-signers and departments — carry `org`, the union of their election or congress (the
distribution column). Added nullable, filled from the parent row, then NOT NULL; every unique
key of these tables gains it (the parent already determines it, so each refuses exactly what it
refused before). A credential's token hash is also claimed in `democracy_credentialtoken`
(primary key = the hash): unique across unions on Citus too."""

import django.db.models.deletion
from django.db import migrations, models

# (table, its parent's table, the foreign key column to the parent), parents first
FILL = [
    ("democracy_voter", "democracy_election", "election_id"),
    ("democracy_credential", "democracy_voter", "voter_id"),
    ("democracy_representative", "democracy_congress", "congress_id"),
    ("democracy_attendance", "democracy_representative", "representative_id"),
    ("democracy_contactrecord", "democracy_representative", "representative_id"),
    ("democracy_proposal", "democracy_congress", "congress_id"),
    ("democracy_proposalhistory", "democracy_proposal", "proposal_id"),
    ("democracy_cosigner", "democracy_proposal", "proposal_id"),
    ("democracy_proposaldepartment", "democracy_proposal", "proposal_id"),
]
MODELS = ["voter", "credential", "representative", "attendance", "contactrecord", "proposal",
          "proposalhistory", "cosigner", "proposaldepartment", "ballot"]


def fill(apps, schema_editor):
    with schema_editor.connection.cursor() as c:
        for table, parent, fk in FILL:
            c.execute(f"UPDATE {table} SET org_id = (SELECT p.org_id FROM {parent} p "  # noqa: S608
                      f"WHERE p.id = {table}.{fk}) WHERE org_id IS NULL")
        # a ballot: its round's election (the ballot stays unlinked to any voter)
        c.execute("UPDATE democracy_ballot SET org_id = (SELECT e.org_id FROM democracy_votinground r "
                  "JOIN democracy_election e ON e.id = r.election_id "
                  "WHERE r.id = democracy_ballot.round_id) WHERE org_id IS NULL")
        c.execute("INSERT INTO democracy_credentialtoken (token_hash, org_id, credential_id) "
                  "SELECT token_hash, org_id, id FROM democracy_credential")


def _org(null: bool) -> models.ForeignKey:
    return models.ForeignKey(null=null, on_delete=django.db.models.deletion.PROTECT,
                             related_name="+", to="orgs.org", verbose_name="工会")


class Migration(migrations.Migration):
    dependencies = [
        ("democracy", "0002_congress_proposals"),
        ("orgs", "0001_initial"),
    ]

    operations = [
        *[migrations.AddField(model_name=m, name="org", field=_org(True)) for m in MODELS],
        migrations.CreateModel(
            name="CredentialToken",
            fields=[
                ("token_hash", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("credential_id", models.BigIntegerField()),
                ("org", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                          related_name="+", to="orgs.org")),
            ],
            options={"verbose_name": "投票凭证号", "verbose_name_plural": "投票凭证号"},
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        *[migrations.AlterField(model_name=m, name="org", field=_org(False)) for m in MODELS],
        migrations.RemoveConstraint(model_name="voter", name="democracy_voter_user_unique"),
        migrations.AddConstraint(model_name="voter", constraint=models.UniqueConstraint(
            condition=models.Q(("user__isnull", False)), fields=("election", "user", "org"),
            name="democracy_voter_user_unique")),
        migrations.RemoveConstraint(model_name="credential",
                                    name="democracy_credential_one_per_voter"),
        migrations.AddConstraint(model_name="credential", constraint=models.UniqueConstraint(
            fields=("round", "voter", "org"), name="democracy_credential_one_per_voter")),
        migrations.RemoveConstraint(model_name="representative", name="democracy_rep_user_unique"),
        migrations.AddConstraint(model_name="representative", constraint=models.UniqueConstraint(
            condition=models.Q(("user__isnull", False)), fields=("congress", "user", "org"),
            name="democracy_rep_user_unique")),
        migrations.RemoveConstraint(model_name="representative", name="democracy_rep_unique"),
        migrations.AddConstraint(model_name="representative", constraint=models.UniqueConstraint(
            fields=("congress", "constituency", "name", "org"), name="democracy_rep_unique")),
        migrations.RemoveConstraint(model_name="attendance", name="democracy_attendance_unique"),
        migrations.AddConstraint(model_name="attendance", constraint=models.UniqueConstraint(
            fields=("session", "representative", "org"), name="democracy_attendance_unique")),
        migrations.RemoveConstraint(model_name="cosigner", name="democracy_cosigner_unique"),
        migrations.AddConstraint(model_name="cosigner", constraint=models.UniqueConstraint(
            fields=("proposal", "representative", "org"), name="democracy_cosigner_unique")),
        migrations.RemoveConstraint(model_name="proposaldepartment",
                                    name="democracy_prop_dept_unique"),
        migrations.AddConstraint(model_name="proposaldepartment",
                                 constraint=models.UniqueConstraint(
                                     fields=("proposal", "department", "org"),
                                     name="democracy_prop_dept_unique")),
        migrations.RemoveConstraint(model_name="proposaldepartment",
                                    name="democracy_prop_one_lead"),
        migrations.AddConstraint(model_name="proposaldepartment",
                                 constraint=models.UniqueConstraint(
                                     condition=models.Q(("is_lead", True)),
                                     fields=("proposal", "org"), name="democracy_prop_one_lead")),
    ]
