"""Seasonal programmes: eligibility, budget, approval, payout into the funds ledger, paid once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import make_user
from gonghui.aid.models import Assistance, Beneficiary, Programme
from gonghui.aid.services import programmes as svc
from gonghui.aid.services.assistance import assistance_record
from gonghui.aid.services.files import member_update
from gonghui.aid.tests.conftest import active_file, make_person
from gonghui.core import clock
from gonghui.core.errors import ApplicationError, Conflict, Forbidden
from gonghui.funds.models import LedgerLine, LedgerTransaction

pytestmark = pytest.mark.django_db


@pytest.fixture
def district_aid(tree):
    """Aid cadre of district A: runs the district's programmes."""
    return make_user("district_aid", org=tree["SH-A"], role="cadre")


@pytest.fixture
def households(tree, standard, aid_cadre, street_cadre):
    """Three active files in district A (深度, 深度, 相对) and one in district B (深度)."""
    deep1 = active_file(make_person(tree["SH-A-1-1"], "甲一"), aid_cadre, street_cadre,
                        incomes=("1000",))
    deep2 = active_file(make_person(tree["SH-A-1-1"], "甲二"), aid_cadre, street_cadre,
                        incomes=("1500",))
    relative = active_file(make_person(tree["SH-A-1-1"], "甲三"), aid_cadre, street_cadre,
                           incomes=("4000",))
    cadre_b = make_user("aid_b", org=tree["SH-B-1-1"], role="cadre")
    street_b = make_user("street_b", org=tree["SH-B-1"], role="cadre")
    other = active_file(make_person(tree["SH-B-1-1"], "乙一"), cadre_b, street_b,
                        incomes=("1000",))
    assert [f.category for f in (deep1, deep2, relative, other)] == [
        "deep", "deep", "relative", "deep"]
    return deep1, deep2, relative, other


def _winter(org, actor, **overrides):
    values = {"name": "2026 年送温暖", "kind": "winter", "year": clock.today().year,
              "budget": Decimal("2000"), "amount_per_household": Decimal("500"),
              "assistance_kind": "cash", "rule": "categories", "categories": ["deep"]}
    values.update(overrides)
    return svc.programme_create(org=org, actor=actor, **values)


def test_generation_follows_the_rule_and_the_subtree(tree, households, district_aid):
    deep1, deep2, _relative, _other = households
    programme = _winter(tree["SH-A"], district_aid)
    assert svc.beneficiaries_generate(programme=programme, actor=district_aid) == 2
    assert set(programme.beneficiaries.values_list("file_id", flat=True)) == {deep1.pk, deep2.pk}
    # a second run adds nobody
    assert svc.beneficiaries_generate(programme=programme, actor=district_aid) == 0
    assert svc.committed(programme) == Decimal("1000.00")


def test_university_entrants_rule(tree, households, district_aid, aid_cadre):
    deep1, _deep2, relative, _other = households
    child = relative.household.get(relation="child")
    member_update(member=child, actor=aid_cadre, university_entry_year=clock.today().year,
                  education="university")
    old = deep1.household.get(relation="child")
    member_update(member=old, actor=aid_cadre, university_entry_year=clock.today().year - 1)
    programme = _winter(tree["SH-A"], district_aid, name="金秋助学", kind="autumn_school",
                        rule="university_entrants", categories=[],
                        assistance_kind="school_grant")
    assert svc.beneficiaries_generate(programme=programme, actor=district_aid) == 1
    assert programme.beneficiaries.get().file_id == relative.pk


def test_budget_blocks_the_whole_generation(tree, households, district_aid):
    programme = _winter(tree["SH-A"], district_aid, budget=Decimal("999.99"))
    with pytest.raises(ApplicationError) as exc:
        svc.beneficiaries_generate(programme=programme, actor=district_aid)
    assert exc.value.message == "项目预算 999.99 元，名单已占用 0.00 元，再增加 1000.00 元将超出预算 0.01 元。"
    assert Beneficiary.objects.count() == 0


def test_a_household_is_listed_once(tree, households, district_aid):
    deep1 = households[0]
    programme = _winter(tree["SH-A"], district_aid)
    svc.beneficiary_add(programme=programme, file=deep1, actor=district_aid)
    with pytest.raises(Conflict) as exc:
        svc.beneficiary_add(programme=programme, file=deep1, actor=district_aid)
    assert exc.value.message == "该户已在本项目名单中，一个项目内每户只能列入一次。"
    with pytest.raises(ApplicationError) as exc:
        svc.beneficiary_add(programme=programme, file=households[3], actor=district_aid)
    assert exc.value.message == "该档案不在本项目的范围内。"


def test_approval_by_another_person_then_payout_posts_to_the_ledger(tree, households,
                                                                   district_aid,
                                                                   district_cadre):
    deep1, deep2, _r, _o = households
    programme = _winter(tree["SH-A"], district_aid)
    svc.beneficiaries_generate(programme=programme, actor=district_aid)
    with pytest.raises(Forbidden) as exc:
        svc.programme_approve(programme=programme, actor=district_aid)
    assert exc.value.message == "项目须由创建人以外的人员审批。"
    svc.programme_approve(programme=programme, actor=district_cadre, note="同意")
    paid, problems = svc.programme_pay_all(programme=programme, actor=district_aid)
    assert (paid, problems) == (2, [])
    records = Assistance.objects.filter(programme=programme).order_by("file_id")
    assert [(r.file_id, r.amount, r.paying_org_id) for r in records] == [
        (deep1.pk, Decimal("500.00"), tree["SH-A"].pk), (deep2.pk, Decimal("500.00"),
                                                        tree["SH-A"].pk)]
    txs = LedgerTransaction.objects.filter(union=tree["SH-A"], source="aid.assistance")
    assert txs.count() == 2
    # the union on both sides of the join: on Citus one shard's rows
    lines = sorted(LedgerLine.objects.filter(union=tree["SH-A"], transaction__in=txs,
                                             account__union=tree["SH-A"])
                   .values_list("account__code", "amount"))
    assert lines == [("1002", Decimal("-500.00")), ("1002", Decimal("-500.00")),
                     ("530105", Decimal("500.00")), ("530105", Decimal("500.00"))]
    assert {r.ledger_transaction_id for r in records} == set(txs.values_list("pk", flat=True))
    # issue 12 item 12: each voucher links back to the file it pays
    assert sorted(txs.values_list("source_url", "source_label")) == [
        (f"/aid/files/{deep1.pk}/", f"困难职工档案 {deep1.number}"),
        (f"/aid/files/{deep2.pk}/", f"困难职工档案 {deep2.number}")]
    # paying again: nothing more
    row = programme.beneficiaries.get(file=deep1)
    with pytest.raises(Conflict) as exc:
        svc.beneficiary_pay(beneficiary=row, actor=district_aid, idempotency_key="another-key")
    assert exc.value.message == "该户已在项目“2026 年送温暖”中发放过，一个项目内每户只发放一次。"
    assert svc.programme_pay_all(programme=programme, actor=district_aid) == (0, [])
    assert Assistance.objects.count() == 2
    assert LedgerTransaction.objects.filter(source="aid.assistance").count() == 2


def test_payout_needs_approval(tree, households, district_aid):
    programme = _winter(tree["SH-A"], district_aid)
    svc.beneficiaries_generate(programme=programme, actor=district_aid)
    row = programme.beneficiaries.first()
    with pytest.raises(ApplicationError) as exc:
        svc.beneficiary_pay(beneficiary=row, actor=district_aid)
    assert exc.value.message == "项目“2026 年送温暖”尚未审批或已结束，不能发放。"
    assert Assistance.objects.count() == 0


def test_cash_assistance_posts_once_per_key(tree, households, aid_cadre):
    deep1 = households[0]
    first = assistance_record(file=deep1, actor=aid_cadre, kind="cash", amount="800",
                              idempotency_key="k-1", description="医疗费用补助")
    again = assistance_record(file=deep1, actor=aid_cadre, kind="cash", amount="800",
                              idempotency_key="k-1", description="医疗费用补助")
    assert first.pk == again.pk
    tx = LedgerTransaction.objects.get(pk=first.ledger_transaction_id)
    assert (tx.union_id, tx.source) == (tree["SH-A-1-1"].pk, "aid.assistance")
    assert sorted((line.account.code, line.amount) for line in tx.lines.select_related(
        "account")) == [("1002", Decimal("-800.00")), ("530104", Decimal("800.00"))]
    with pytest.raises(Conflict) as exc:
        assistance_record(file=deep1, actor=aid_cadre, kind="cash", amount="900",
                          idempotency_key="k-1")
    assert exc.value.message == "该请求标识已用于另一条帮扶记录。"
    with pytest.raises(ApplicationError) as exc:
        assistance_record(file=deep1, actor=aid_cadre, kind="legal", amount="10",
                          idempotency_key="k-2")
    assert exc.value.message == "就业推荐和法律援助不填写金额。"
    assert Assistance.objects.count() == 1


def test_programme_cannot_be_changed_after_approval(tree, households, district_aid,
                                                    district_cadre):
    programme = _winter(tree["SH-A"], district_aid)
    svc.beneficiaries_generate(programme=programme, actor=district_aid)
    svc.programme_approve(programme=programme, actor=district_cadre)
    with pytest.raises(ApplicationError) as exc:
        svc.programme_update(programme=programme, actor=district_aid, budget=Decimal("1"))
    assert exc.value.message == "已审批的项目不能修改。"
    assert Programme.objects.get().budget == Decimal("2000.00")


def test_a_street_sees_the_districts_programme_and_pays_its_own_households(
        client, tree, households, district_aid, district_cadre, street_cadre):
    """Issue 12 item 11: the unions below carry out a district's programme — they find it in
    their list, see only their own households on it, pay them once it is approved; approving,
    generating and removing stay with the district; another district never sees it."""
    from conftest import login
    from gonghui.aid import selectors
    from gonghui.aid.permissions import access_programme
    from gonghui.core.errors import NotFound

    deep1, deep2, _r, _o = households
    programme = _winter(tree["SH-A"], district_aid)
    svc.beneficiaries_generate(programme=programme, actor=district_aid)
    other_street = make_user("cadre_a12", org=tree["SH-A-1-2"], role="cadre")
    outsider = make_user("street_b1", org=tree["SH-B-1"], role="cadre")
    assert list(selectors.programme_list(viewer=street_cadre)) == [programme]
    assert list(selectors.programme_list(viewer=other_street)) == [programme]
    assert list(selectors.programme_list(viewer=outsider)) == []
    with pytest.raises(NotFound):
        access_programme(outsider, programme.pk)
    rows = selectors.programme_rows_for(programme, street_cadre)
    assert sorted(rows.values_list("file_id", flat=True)) == [deep1.pk, deep2.pk]
    assert list(selectors.programme_rows_for(programme, other_street)) == []
    with pytest.raises(Forbidden) as exc:
        access_programme(street_cadre, programme.pk, write=True)
    assert exc.value.message == ("这是甲区总工会的帮扶项目：名单和审批由甲区总工会办理，"
                                 "您可以查看并发放本辖区的家庭。")
    # the page: the note, the two households, a pay button only after approval
    page = login(client, street_cadre).get(f"/aid/programmes/{programme.pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert 'id="from-above"' in text
    assert text.count("/pay/") == 0
    assert [n in text for n in ("甲一", "甲二", "甲三")] == [True, True, False]
    svc.programme_approve(programme=programme, actor=district_cadre, note="同意")
    row = programme.beneficiaries.get(file=deep1)
    assert login(client, street_cadre).get(
        f"/aid/programmes/{programme.pk}/").content.decode().count("/pay/") == 2
    response = client.post(f"/aid/programmes/{programme.pk}/beneficiaries/{row.pk}/pay/")
    assert response.status_code in (200, 302)
    paid = Assistance.objects.get(beneficiary=row)
    assert (paid.file_id, paid.amount) == (deep1.pk, Decimal("500.00"))
    # another street cannot pay a household that is not theirs: it does not exist for them
    row2 = programme.beneficiaries.get(file=deep2)
    assert login(client, other_street).post(
        f"/aid/programmes/{programme.pk}/beneficiaries/{row2.pk}/pay/").status_code == 404
    assert Assistance.objects.filter(beneficiary=row2).count() == 0
