"""Plans are versioned: an amendment applies to stays admitted from its effective date, and
never changes a payout already made. Enrolment rules: offered unions only, members only,
renewal without a new waiting period, once per plan year."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from gonghui.audit.models import AuditEvent
from gonghui.core.errors import ApplicationError, Forbidden, NotFound
from gonghui.mutualaid import services
from gonghui.mutualaid.models import Enrolment, Payout, PlanVersion
from gonghui.mutualaid.services.processing import process_queue
from gonghui.orgs.models import Org

from .conftest import YEAR, add_member, enrol, id_number, import_bytes, settlement_csv

D = Decimal
pytestmark = pytest.mark.django_db

RULES = {"contribution": D("30.00"), "waiting_days": 90, "per_day": D("80.00"),
         "per_claim_cap": D("1000.00"), "per_year_cap": D("1500.00")}


def test_amendment_applies_from_its_date_and_past_payouts_stay(tree, plans, members,
                                                                cadre_a11, city_admin):
    plan = plans["allowance"]
    enrol(plan, tree["SH-A-1-1"], cadre_a11)
    import_bytes(settlement_csv([{"no": "P1", "id": id_number(1),
                                  "admitted": dt.date(YEAR, 5, 1), "days": 4}]), tree["SH"])
    process_queue()
    first = Payout.objects.get()
    stored = (first.amount, first.version_id, first.computation)

    version = services.plan_version_create(plan=plan, plan_year=YEAR,
                                            effective_on=dt.date(YEAR, 7, 1), actor=city_admin,
                                            note="提高每日津贴", **RULES)
    assert (version.number, version.year_starts_on, version.year_ends_on) == (
        2, dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))
    import_bytes(settlement_csv([
        {"no": "P2", "id": id_number(1), "admitted": dt.date(YEAR, 6, 30), "days": 2},
        {"no": "P3", "id": id_number(2), "admitted": dt.date(YEAR, 7, 1), "days": 2},
    ]), tree["SH"])
    process_queue()
    got = {p.settlement.settlement_no: (p.amount, p.version.number)
           for p in Payout.objects.select_related("settlement", "version")}
    assert got == {"P1": (D("200.00"), 1), "P2": (D("100.00"), 1), "P3": (D("160.00"), 2)}
    first.refresh_from_db()
    assert (first.amount, first.version_id, first.computation) == stored
    for payout in Payout.objects.all():
        assert services.payout_recompute(payout).amount == payout.amount


def test_version_rules(tree, plans, city_admin, district_cadre):
    plan = plans["allowance"]
    with pytest.raises(ApplicationError) as exc:
        services.plan_version_create(plan=plan, plan_year=YEAR, effective_on=dt.date(YEAR, 1, 1),
                                     actor=city_admin, **RULES)
    assert exc.value.message == "新版本的生效日期须晚于本年度现行版本的生效日期 2026-01-01。"
    with pytest.raises(ApplicationError) as exc:
        services.plan_version_create(plan=plan, plan_year=YEAR + 1, effective_on=dt.date(YEAR, 1, 1),
                                     year_starts_on=dt.date(YEAR, 7, 1),
                                     year_ends_on=dt.date(YEAR + 1, 6, 30), actor=city_admin,
                                     **RULES)
    assert exc.value.message == "计划年度的起止日期与其他年度重叠。"
    with pytest.raises(ApplicationError) as exc:
        services.plan_version_create(plan=plan, plan_year=YEAR, effective_on=dt.date(YEAR, 8, 1),
                                     actor=city_admin, **{**RULES, "per_day": D("0")})
    assert exc.value.message == "住院津贴计划须设置每日津贴金额。"
    before = (PlanVersion.objects.count(), AuditEvent.objects.count())
    with pytest.raises(Forbidden):  # a district admin has no policy.write over the city
        services.plan_version_create(plan=plan, plan_year=YEAR, effective_on=dt.date(YEAR, 8, 1),
                                     actor=district_cadre, **RULES)
    assert (PlanVersion.objects.count(), AuditEvent.objects.count()) == before
    nxt = services.plan_version_create(plan=plan, plan_year=YEAR + 1,
                                       effective_on=dt.date(YEAR + 1, 3, 1),
                                       year_starts_on=dt.date(YEAR + 1, 1, 1),
                                       year_ends_on=dt.date(YEAR + 1, 12, 31),
                                       actor=city_admin, **RULES)
    assert (nxt.number, nxt.effective_on) == (2, dt.date(YEAR + 1, 1, 1))


def test_enrolment_rules(tree, plans, members, cadre_a11, city_admin):
    plan = plans["allowance"]
    # cadre of SH-A-1-1 cannot enrol SH-A-1-2, outside their subtree: 404 (the one policy;
    # the page already answered 404)
    with pytest.raises(NotFound):
        enrol(plan, tree["SH-A-1-2"], cadre_a11)
    with pytest.raises(ApplicationError) as exc:
        enrol(plan, tree["SH-A-1-1"], cadre_a11, person_ids=[members["a"][0].pk,
                                                             members["b"][0].pk])
    assert exc.value.message == "所选人员中有 1 人不是本工会的在册会员。"
    run = enrol(plan, tree["SH-A-1-1"], cadre_a11, person_ids=[members["a"][0].pk])
    assert (run.enrolled_count, run.amount) == (1, D("30.00"))
    run = enrol(plan, tree["SH-A-1-1"], cadre_a11)
    assert (run.enrolled_count, run.skipped_count, run.amount) == (2, 1, D("60.00"))
    # a plan run by district B is not offered to district A's unions
    other = services.plan_create(org=tree["SH-B"], code="B-ONLY", name="乙区计划",
                                 kind="hospital_allowance", plan_year=YEAR,
                                 year_starts_on=dt.date(YEAR, 1, 1),
                                 year_ends_on=dt.date(YEAR, 12, 31), actor=city_admin, **RULES)
    with pytest.raises(ApplicationError) as exc:
        enrol(other, tree["SH-A-1-1"], city_admin)
    assert exc.value.message == "该计划不面向“甲一公司工会”开办。"


def test_renewal_skips_the_waiting_period(tree, plans, cadre_a11, city_admin):
    plan = plans["allowance"]
    services.plan_version_create(plan=plan, plan_year=YEAR - 1, effective_on=dt.date(YEAR - 1, 1, 1),
                                 year_starts_on=dt.date(YEAR - 1, 1, 1),
                                 year_ends_on=dt.date(YEAR - 1, 12, 31), actor=city_admin,
                                 **RULES)
    union = tree["SH-A-1-1"]
    old = add_member(union, "老会员", id_number(50))
    add_member(union, "新会员", id_number(51))
    services.enrol_members(plan=plan, plan_year=YEAR - 1, union=union, actor=cadre_a11,
                           enrolled_on=dt.date(YEAR - 1, 3, 1), person_ids=[old.pk])
    enrol(plan, union, cadre_a11, on=dt.date(YEAR, 1, 20))
    assert dict(Enrolment.objects.filter(plan_year=YEAR).values_list("person__name", "renewal")) == {
        "老会员": True, "新会员": False}
    import_bytes(settlement_csv([
        {"no": "R1", "id": id_number(50), "admitted": dt.date(YEAR, 2, 1), "days": 3},
        {"no": "R2", "id": id_number(51), "admitted": dt.date(YEAR, 2, 1), "days": 3},
    ]), tree["SH"])
    process_queue()
    got = dict(Payout.objects.values_list("settlement__settlement_no", "decline"))
    assert got == {"R1": "", "R2": "waiting_period"}


def test_moving_a_union_moves_its_payouts_path(tree, plans, members, cadre_a11, city_admin):
    from gonghui.orgs.services import org_move

    enrol(plans["allowance"], tree["SH-A-1-1"], cadre_a11)
    import_bytes(settlement_csv([{"no": "M1", "id": id_number(1),
                                  "admitted": dt.date(YEAR, 5, 1), "days": 2}]), tree["SH"])
    process_queue()
    org_move(org=tree["SH-A-1"], new_parent=tree["SH-B"], actor=city_admin)
    union = Org.objects.get(code="SH-A-1-1")
    assert Payout.objects.get().union_path == union.path
    assert set(Enrolment.objects.values_list("union_path", flat=True)) == {union.path}
    assert union.path.startswith(Org.objects.get(code="SH-B").path)
