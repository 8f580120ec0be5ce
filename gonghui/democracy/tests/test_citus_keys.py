"""democracy on Citus (docs/scale.md): the member-scale rows carry their election's or
congress's union (`org`), filled by migration 0003 from the parent row; a credential's token is
claimed by its hash in `democracy_credentialtoken`, which keeps it unique across unions where
Citus can only keep `democracy_credential.token_hash` unique within one."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import IntegrityError, connection, transaction

from gonghui.core.errors import NotFound
from gonghui.core.tests.migrating import migrate_to, migrate_to_latest, not_on_citus
from gonghui.democracy.models import (
    Ballot,
    Credential,
    CredentialToken,
    RoundMode,
    Voter,
)
from gonghui.democracy.services import elections as svc
from gonghui.democracy.tests.conftest import prepared_election


@not_on_citus
@pytest.mark.django_db(transaction=True)
def test_migration_0003_gives_each_row_its_parents_union():
    before, after = "0002_congress_proposals", "0003_union_column"
    old = migrate_to("democracy", before)
    Org = old.get_model("orgs", "Org")
    M = {name: old.get_model("democracy", name) for name in (
        "Election", "Voter", "VotingRound", "Credential", "Ballot", "Congress",
        "Representative", "Session", "Attendance", "ContactRecord", "Proposal",
        "ProposalHistory", "Cosigner", "ProposalDepartment")}
    Department = old.get_model("workplan", "Department")
    today = dt.date(2026, 5, 1)
    orgs = [Org.objects.create(path=f"000{n}", depth=1, numchild=0, code=f"MIG{n}",
                               name=f"迁移测试工会{n}", level="city", org_type="federation")
            for n in (1, 2)]
    ballots = []
    for n, org in enumerate(orgs):
        election = M["Election"].objects.create(
            org=org, org_path=org.path, title=f"换届{n}", body="committee", seats=1,
            meeting_on=today)
        voter = M["Voter"].objects.create(election=election, name=f"甲{n}")
        voting = M["VotingRound"].objects.create(
            election=election, number=1, mode="electronic", seats=1, candidates=["乙"],
            entitled=1, present=1, opened_on=today)
        M["Credential"].objects.create(round=voting, voter=voter, token_hash=f"{n}" * 64)
        ballots.append(M["Ballot"].objects.create(id=uuid.uuid4(), round=voting,
                                                  choices=["乙"]).pk)
        congress = M["Congress"].objects.create(org=org, org_path=org.path, name=f"一届{n}",
                                                started_on=today)
        rep = M["Representative"].objects.create(congress=congress, name=f"丙{n}",
                                                 constituency="一团", elected_on=today)
        other = M["Representative"].objects.create(congress=congress, name=f"丁{n}",
                                                   constituency="一团", elected_on=today)
        session = M["Session"].objects.create(congress=congress, number=1, held_on=today)
        M["Attendance"].objects.create(session=session, representative=rep)
        M["ContactRecord"].objects.create(representative=rep, on=today, kind="visit",
                                          summary="走访")
        proposal = M["Proposal"].objects.create(congress=congress, org_path=org.path,
                                                proposer=rep, year=2026, title="案由",
                                                body="内容")
        M["ProposalHistory"].objects.create(proposal=proposal, to_status="draft",
                                            actor_name="x", at=dt.datetime(2026, 5, 1,
                                                                           tzinfo=dt.UTC))
        M["Cosigner"].objects.create(proposal=proposal, representative=other)
        department = Department.objects.create(org=org, name=f"办公室{n}")
        M["ProposalDepartment"].objects.create(proposal=proposal, department=department,
                                               is_lead=True)
    try:
        new = migrate_to("democracy", after)
        first, second = (o.pk for o in orgs)
        for name in ("Voter", "Credential", "Representative", "Attendance", "ContactRecord",
                     "Proposal", "ProposalHistory", "Cosigner", "ProposalDepartment"):
            model = new.get_model("democracy", name)
            # two rows (representatives: four), each with the union of its own parent
            assert sorted(model.objects.values_list("org_id", flat=True)) == sorted(
                [first, second] * (2 if name == "Representative" else 1)), name
        Ballot_ = new.get_model("democracy", "Ballot")
        assert [Ballot_.objects.get(pk=pk).org_id for pk in ballots] == [first, second]
        Token = new.get_model("democracy", "CredentialToken")
        Credential_ = new.get_model("democracy", "Credential")
        assert sorted(Token.objects.values_list("token_hash", "org_id", "credential_id")) == \
            sorted(Credential_.objects.values_list("token_hash", "org_id", "id"))
        assert Token.objects.count() == 2
    finally:
        migrate_to_latest()


@pytest.mark.django_db
def test_rows_carry_the_elections_union_and_the_token_is_claimed(tree, city_admin):
    election = prepared_election(tree["SH-A-1-1"], city_admin, seats=1)
    voting, tokens = svc.round_open(election=election, mode=RoundMode.ELECTRONIC, actor=city_admin)
    assert {v.org_id for v in Voter.objects.filter(election=election)} == {election.org_id}
    creds = list(Credential.objects.filter(round=voting))
    assert creds
    assert {c.org_id for c in creds} == {election.org_id}
    assert sorted(CredentialToken.objects.values_list("token_hash", "org_id", "credential_id")) \
        == sorted((c.token_hash, c.org_id, c.pk) for c in creds)
    # a ballot cast with a token: found through the claim, stored under the election's union
    svc.ballot_cast(token=tokens[0][1], choices=[voting.candidates[0]])
    assert list(Ballot.objects.filter(round=voting).values_list("org_id", flat=True)) == [
        election.org_id]
    assert Credential.objects.filter(round=voting, used=True).count() == 1
    # an unknown token: refused, nothing stored
    with pytest.raises(NotFound):
        svc.ballot_cast(token="NOPE", choices=[voting.candidates[0]])
    assert Ballot.objects.filter(round=voting).count() == 1


@pytest.mark.django_db
def test_a_token_is_taken_once_by_its_claim_row(tree, city_admin):
    election = prepared_election(tree["SH-A-1-1"], city_admin, seats=1)
    voting, _tokens = svc.round_open(election=election, mode=RoundMode.ELECTRONIC, actor=city_admin)
    credentials = dict(Credential.objects.filter(round=voting).values_list("pk", "token_hash"))
    # one claim per credential of the round, under the credential's own hash
    assert dict(CredentialToken.objects.filter(org_id=election.org_id)
                .values_list("credential_id", "token_hash")) == credentials
    taken = CredentialToken.objects.filter(org_id=election.org_id).order_by("token_hash").first()
    # the same hash again, even for a union elsewhere: refused by the primary key
    with pytest.raises(IntegrityError), transaction.atomic():
        CredentialToken.objects.create(token_hash=taken.token_hash, org=tree["SH-B-1-1"],
                                       credential_id=taken.credential_id + 1000)
    assert CredentialToken.objects.filter(token_hash=taken.token_hash).count() == 1


@not_on_citus
@pytest.mark.postgres
@pytest.mark.django_db
def test_a_token_stays_unique_without_the_credentials_own_key(tree, city_admin):
    """What Citus keeps of `democracy_credential.token_hash` is (token_hash, org): with the
    one-node key dropped, a credential whose token another union's credential already has is
    still refused — by the claim row, in the round's transaction."""
    election = prepared_election(tree["SH-A-1-1"], city_admin, seats=1)
    voting, _tokens = svc.round_open(election=election, mode=RoundMode.ELECTRONIC, actor=city_admin)
    taken = Credential.objects.filter(round=voting).first()
    with connection.cursor() as c:
        # the round's deferred foreign-key checks first: PostgreSQL refuses ALTER TABLE on a
        # table with pending trigger events in the transaction
        c.execute("SET CONSTRAINTS ALL IMMEDIATE")
        c.execute("SELECT conname FROM pg_constraint WHERE conrelid = "
                  "'democracy_credential'::regclass AND contype = 'u' "
                  "AND array_length(conkey, 1) = 1")
        for (name,) in c.fetchall():
            c.execute(f'ALTER TABLE democracy_credential DROP CONSTRAINT "{name}"')
    other = prepared_election(tree["SH-B-1-1"], city_admin, seats=1, prefix="w")
    other_round, _t = svc.round_open(election=other, mode=RoundMode.PAPER, actor=city_admin)
    voter = Voter.objects.filter(election=other).first()

    def duplicate() -> None:
        with transaction.atomic():
            dup = Credential.objects.create(round=other_round, voter=voter,
                                            token_hash=taken.token_hash)
            CredentialToken.objects.create(token_hash=dup.token_hash, org_id=dup.org_id,
                                           credential_id=dup.pk)

    with pytest.raises(IntegrityError):
        duplicate()
    assert Credential.objects.filter(token_hash=taken.token_hash).count() == 1
