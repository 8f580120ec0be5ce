"""0002_citus_org fills the new distribution column from the parent row: entries get their
competition's organiser, scores their entry's, nominations their scheme's issuing union and
their history and attachments the nomination's."""

from __future__ import annotations

import datetime as dt

import pytest

from gonghui.core.tests.migrating import migrate_to, migrate_to_latest, not_on_citus

pytestmark = not_on_citus


@pytest.mark.django_db(transaction=True)
def test_citus_org_migration_fills_each_row_from_its_parent():
    before, after = "0001_initial", "0002_citus_org"
    old = migrate_to("awards", before)
    Org = old.get_model("orgs", "Org")
    User = old.get_model("accounts", "User")

    def model(name):
        return old.get_model("awards", name)

    at = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
    city = Org.objects.create(path="0001", depth=1, numchild=2, code="MIG", name="迁移市总",
                              level="city", org_type="federation")
    district, union = (
        Org.objects.create(path=f"0001000{i}", depth=2, numchild=0, code=f"MIG{i}",
                           name=f"迁移工会{i}", level="district", org_type="federation")
        for i in (1, 2))
    judge = User.objects.create(username="mig_judge")
    rows = {}  # (model, pk) -> the org expected
    for organiser in (city, district):
        competition = model("Competition").objects.create(
            org=organiser, org_path=organiser.path, title="技能竞赛", kind="skill", year=2026)
        criterion = model("Criterion").objects.create(competition=competition, position=1,
                                                      name="实操", max_score=100)
        entry = model("Entry").objects.create(competition=competition, union=union,
                                              union_path=union.path, name="队伍",
                                              registered_at=at)
        score = model("Score").objects.create(entry=entry, criterion=criterion, judge=judge,
                                              judge_name="评委", stage="finals", score=90)
        scheme = model("HonourScheme").objects.create(
            org=organiser, org_path=organiser.path, kind="pioneer", year=2026, title="工人先锋号",
            level=organiser.level)
        nomination = model("Nomination").objects.create(
            scheme=scheme, union=union, union_path=union.path, at_org=organiser,
            at_path=organiser.path, nominee_type="team", nominee_key=f"t{union.pk}/一班",
            name="一班", unit_name="迁移公司", deeds="事迹", deeds_summary="摘要", created_at=at)
        history = model("NominationHistory").objects.create(
            nomination=nomination, to_status="submitted", actor_name="mig", at=at)
        attachment = model("NominationAttachment").objects.create(
            nomination=nomination, name="材料", file="awards/attachments/2026/a.pdf")
        for row in (entry, score, nomination, history, attachment):
            rows[(type(row).__name__, row.pk)] = organiser.pk
    try:
        new = migrate_to("awards", after)
        got = {(name, pk): new.get_model("awards", name).objects.values_list(
            "org_id", flat=True).get(pk=pk) for name, pk in rows}
        assert got == rows
        assert sorted(set(rows.values())) == [city.pk, district.pk]
    finally:
        migrate_to_latest()
