"""0002_citus_union fills the new distribution column of each child row from its parent: a
case's history, referrals, hearings and documents get the case's union, a letter's history the
letter's issuing union."""

from __future__ import annotations

import datetime as dt

import pytest

from gonghui.core.tests.migrating import migrate_to, migrate_to_latest, not_on_citus

pytestmark = not_on_citus


@pytest.mark.django_db(transaction=True)
def test_citus_union_migration_fills_each_child_from_its_parent():
    before, after = "0001_initial", "0002_citus_union"
    old = migrate_to("rights", before)
    Org = old.get_model("orgs", "Org")
    Employer = old.get_model("orgs", "Employer")
    Case = old.get_model("rights", "Case")
    Letter = old.get_model("rights", "Letter")
    at = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
    day = dt.date(2026, 3, 1)
    city = Org.objects.create(path="0001", depth=1, numchild=2, code="MIG", name="迁移市总",
                              level="city", org_type="federation")
    unions = [Org.objects.create(path=f"0001000{i}", depth=2, numchild=0, code=f"MIG{i}",
                                 name=f"迁移工会{i}", level="grassroots", org_type="grassroots")
              for i in (1, 2)]
    employer = Employer.objects.create(name="迁移测试公司", area=city)
    history = {"from_status": "", "to_status": "submitted", "actor_name": "mig", "at": at}
    children = {}
    for union in unions:
        case = Case.objects.create(
            union=union, union_path=union.path, worker_name="张三", dispute_type="wages",
            description="欠薪", known_on=day, applied_on=day, body_since=day)
        children[union.pk] = [
            old.get_model("rights", "CaseHistory").objects.create(case=case, **history).pk,
            old.get_model("rights", "Referral").objects.create(
                case=case, from_body="union", to_body="arbitration", on=day, reason="调解不成",
                actor_name="mig", at=at).pk,
            old.get_model("rights", "Hearing").objects.create(
                case=case, on=day, body="union", note="调解", actor_name="mig").pk,
            old.get_model("rights", "CaseDocument").objects.create(
                case=case, name="a.pdf", content_type="application/pdf", data=b"%PDF",
                size=4, uploaded_by="mig", at=at).pk,
        ]
        letter = Letter.objects.create(
            org=union, org_path=union.path, kind="opinion", year=2026, seq=1,
            number=f"沪工监〔2026〕{union.pk}号", employer=employer, case=case,
            addressee=employer.name, violation="欠薪", legal_basis="劳动法", correction="支付",
            issued_on=day)
        children[union.pk].append(
            old.get_model("rights", "LetterHistory").objects.create(letter=letter, **history).pk)
    try:
        new = migrate_to("rights", after)
        names = [("CaseHistory", "union_id"), ("Referral", "union_id"), ("Hearing", "union_id"),
                 ("CaseDocument", "union_id"), ("LetterHistory", "org_id")]
        for union in unions:
            got = [new.get_model("rights", model).objects.filter(pk=pk)
                   .values_list(column, flat=True).get()
                   for (model, column), pk in zip(names, children[union.pk], strict=True)]
            assert got == [union.pk] * 5
    finally:
        migrate_to_latest()
