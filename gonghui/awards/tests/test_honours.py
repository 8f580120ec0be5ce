"""Honour rounds: quotas and shares at their edges, one nomination per person, exclusion,
review up the tree with history, 公示 over the National Day holiday, objections, conferral."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import make_org, make_user
from gonghui.audit.models import AuditEvent
from gonghui.awards.models import (
    HonourRecord,
    ModelWorker,
    Nomination,
    NominationHistory,
    NominationStatus,
    Quota,
)
from gonghui.awards.services import honours as svc
from gonghui.awards.tests.factories import SYSTEM, member, nominate, scheme
from gonghui.core import clock
from gonghui.core.errors import ApplicationError, Conflict, Forbidden, NotFound
from gonghui.notices.models import Notice, NoticeItem
from gonghui.notices.services import notice_close, objection_decide, objection_submit

S = NominationStatus
DAY = dt.datetime(2026, 9, 28, 9, 0)


@pytest.fixture
def frozen():
    with clock.frozen(DAY):
        yield


@pytest.fixture
def round_(tree, frozen):
    s = scheme(tree["SH"], min_frontline_pct=50)
    svc.quota_set(scheme=s, org=tree["SH-A"], quota=2, actor=SYSTEM)
    return s


def _forward(s, org, rows, actor=SYSTEM):
    return svc.list_forward(scheme=s, org=org, nomination_ids=[n.pk for n in rows], actor=actor)


def test_quota_exactly_at_quota_passes_and_one_over_is_refused(tree, round_):
    people = [member(tree["SH-A-1-1"], n) for n in ("张一", "张二", "张三")]
    noms = [nominate(round_, tree["SH-A-1-1"], p) for p in people]
    assert {n.at_org.code for n in noms} == {"SH-A-1"}
    _forward(round_, tree["SH-A-1"], noms[:2])  # exactly at quota
    quota = Quota.objects.get(scheme=round_, org=tree["SH-A"])
    assert (quota.quota, quota.used) == (2, 2)
    with pytest.raises(Conflict) as exc:
        _forward(round_, tree["SH-A-1"], noms[2:])
    assert exc.value.message == ("甲区总工会名额 2 个，已报送 2 个，本次报送 1 个，合计 3 个，"
                                 "超出 1 个。")
    third = Nomination.objects.get(pk=noms[2].pk)
    assert (third.status, third.at_org.code, third.quota_id) == (S.SUBMITTED, "SH-A-1", None)
    assert Quota.objects.get(pk=quota.pk).used == 2


def test_one_over_in_a_single_list_changes_nothing(tree, round_):
    noms = [nominate(round_, tree["SH-A-1-1"], member(tree["SH-A-1-1"], n))
            for n in ("李一", "李二", "李三")]
    with pytest.raises(Conflict, match="合计 3 个，超出 1 个"):
        _forward(round_, tree["SH-A-1"], noms)
    assert list(Nomination.objects.filter(at_org=tree["SH-A-1"]).values_list("rank", flat=True)
                ) == [None, None, None]
    assert Quota.objects.get(scheme=round_).used == 0
    assert NominationHistory.objects.filter(to_status=S.SUBMITTED, from_status=S.SUBMITTED
                                            ).count() == 0


def test_frontline_share_at_the_edge(tree, round_):
    a11 = tree["SH-A-1-1"]
    front = nominate(round_, a11, member(a11, "一线"), category="frontline")
    manager = nominate(round_, a11, member(a11, "经理"), category="manager")
    _forward(round_, tree["SH-A-1"], [front, manager])
    # the district holds the quota: its list is checked — 1 of 2 = 50% is exactly enough
    _forward(round_, tree["SH-A"], [front, manager])
    assert Nomination.objects.get(pk=front.pk).at_org == tree["SH"]


def test_frontline_share_one_below_is_refused_with_the_numbers(tree, tree_b_quota):
    s, b1, b11 = tree_b_quota
    front = nominate(s, b11, member(b11, "一线乙"), category="frontline")
    tech = nominate(s, b11, member(b11, "技术乙"), category="technical")
    mgr = nominate(s, b11, member(b11, "经理乙"), category="manager")
    _forward(s, b1, [front, tech, mgr])
    with pytest.raises(Conflict) as exc:
        _forward(s, tree["SH-B"], [front, tech, mgr])
    assert exc.value.message == ("乙区总工会报送名单不符合评选条件：一线职工比例应不低于 50%：名单 3 人中 "
                                 "1 人，占 33.3%。")
    assert Nomination.objects.get(pk=front.pk).at_org == tree["SH-B"]


@pytest.fixture
def tree_b_quota(tree, frozen):
    s = scheme(tree["SH"], kind="craftsman", title="2026年度上海工匠", min_frontline_pct=50)
    svc.quota_set(scheme=s, org=tree["SH-B"], quota=5, actor=SYSTEM)
    return s, tree["SH-B-1"], tree["SH-B-1-1"]


def test_manager_and_women_shares(tree, frozen):
    s = scheme(tree["SH"], max_manager_pct=20, min_women_pct=50)
    rows = [Nomination(nominee_type="individual", category=c, gender=g)
            for c, g in (("manager", "F"), ("frontline", "M"), ("frontline", "M"),
                         ("technical", "F"), ("frontline", "M"))]
    assert svc.composition_problems(s, rows) == [
        "女性比例应不低于 50%：名单 5 人中 2 人，占 40.0%。"]  # 1 of 5 managers = 20%: allowed
    rows.append(Nomination(nominee_type="individual", category="manager", gender="F"))
    assert svc.composition_problems(s, rows) == [
        "管理人员比例应不高于 20%：名单 6 人中 2 人，占 33.3%。"]


def test_a_person_appears_once_per_scheme_whoever_nominates(tree, round_):
    person = member(tree["SH-A-1-1"], "王工匠")
    first = nominate(round_, tree["SH-A-1-1"], person)
    # the same person also holds no membership in A-1-2: the street nominates them instead
    with pytest.raises(Conflict) as exc:
        nominate(round_, tree["SH-A-1"], person)
    assert exc.value.message == ("王工匠已由“甲一公司工会”推荐参加“2026年度五一劳动奖章”，"
                                 "同一对象每年每项只能推荐一次。")
    assert Nomination.objects.filter(scheme=round_).count() == 1
    # withdrawn, the place is free for another union's nomination
    svc.nomination_withdraw(nomination=first, reason="材料有误", actor=SYSTEM)
    second = nominate(round_, tree["SH-A-1"], person)
    assert second.at_org == tree["SH-A"]


def test_exclusion_of_recently_honoured(tree, frozen):
    s = scheme(tree["SH"], exclusion_years=5)
    person = member(tree["SH-A-1-1"], "老劳模")
    HonourRecord.objects.create(person=person, union_path=tree["SH-A-1-1"].path, name="老劳模",
                                kind="labour_medal", level="city", year=2022,
                                title="2022年度五一劳动奖章")
    with pytest.raises(Conflict) as exc:
        nominate(s, tree["SH-A-1-1"], person)
    assert exc.value.message == ("老劳模已于 2022 年获得“2022年度五一劳动奖章”（同级荣誉），"
                                 "按本项目规则 5 年内不得再次推荐。")
    HonourRecord.objects.filter(person=person).update(year=2021)  # six years ago: allowed
    assert nominate(s, tree["SH-A-1-1"], person).status == S.SUBMITTED


def test_non_member_and_public_text_refused(tree, round_):
    outsider = member(tree["SH-B-1-1"], "外区职工")
    with pytest.raises(ApplicationError, match="不是本单位在册会员"):
        nominate(round_, tree["SH-A-1-1"], outsider)
    person = member(tree["SH-A-1-1"], "张三")
    with pytest.raises(ApplicationError, match="不能包含身份证号码或手机号码"):
        svc.nomination_create(scheme=round_, union=tree["SH-A-1-1"], actor=SYSTEM,
                              person=person, category="frontline", deeds="事迹",
                              deeds_summary="联系电话13812345678")
    assert Nomination.objects.count() == 0


def test_return_keeps_history_and_frees_the_place(tree, round_):
    noms = [nominate(round_, tree["SH-A-1-1"], member(tree["SH-A-1-1"], n))
            for n in ("周一", "周二")]
    _forward(round_, tree["SH-A-1"], noms)
    assert Quota.objects.get(scheme=round_).used == 2
    returned = svc.nomination_return(nomination=Nomination.objects.get(pk=noms[1].pk),
                                     reason="事迹材料不完整", actor=SYSTEM)
    assert (returned.status, returned.quota_id) == (S.RETURNED, None)
    assert Quota.objects.get(scheme=round_).used == 1
    again = svc.nomination_resubmit(nomination=Nomination.objects.get(pk=noms[1].pk),
                                    actor=SYSTEM, deeds="补充后的事迹", note="已补充")
    assert (again.status, again.at_org.code) == (S.SUBMITTED, "SH-A-1")
    steps = list(NominationHistory.objects.filter(nomination=noms[1]).order_by("id")
                 .values_list("from_status", "to_status", "level_name", "reason"))
    assert steps == [
        ("", "submitted", "甲一公司工会", "推荐上报"),
        ("submitted", "submitted", "甲区一街道工会", "审核通过，报送甲区总工会"),
        ("submitted", "returned", "甲区总工会", "事迹材料不完整"),
        ("returned", "submitted", "甲一公司工会", "已补充"),
    ]


def test_a_level_acts_only_on_its_own_queue(tree, round_):
    n = nominate(round_, tree["SH-A-1-1"], member(tree["SH-A-1-1"], "丙"))
    with pytest.raises(Conflict, match="不在“甲区总工会”待审名单中"):
        _forward(round_, tree["SH-A"], [n])
    grassroots = make_user("cadre_a11", org=tree["SH-A-1-1"], role="cadre")
    with pytest.raises(Forbidden):  # sees it (its own nomination), may not review it
        svc.nomination_return(nomination=n, reason="不行", actor=grassroots)
    other = make_user("cadre_b", org=tree["SH-B"], role="admin")
    with pytest.raises(NotFound):
        _forward(round_, tree["SH-A-1"], [n], actor=other)
    assert Nomination.objects.get(pk=n.pk).status == S.SUBMITTED
    assert NominationHistory.objects.filter(nomination=n).count() == 1


def _through_to_shortlist(tree, s, names):
    noms = [nominate(s, tree["SH-A-1-1"], member(tree["SH-A-1-1"], name)) for name in names]
    for org in ("SH-A-1", "SH-A", "SH"):
        _forward(s, tree[org], noms)
    return noms


def test_notice_spans_national_day_and_ends_on_the_adjusted_saturday(tree, frozen):
    s = scheme(tree["SH"], notice_working_days=6)
    noms = _through_to_shortlist(tree, s, ["甲", "乙"])
    assert set(Nomination.objects.values_list("status", flat=True)) == {S.SHORTLISTED}
    notice = svc.scheme_notice_publish(scheme=s, actor=SYSTEM)
    # 9-28, 9-29, 9-30, (国庆 10-1 … 10-7), 10-8, 10-9 and the 调休 Saturday 10-10
    assert (notice.start_date, notice.end_date) == (dt.date(2026, 9, 28), dt.date(2026, 10, 10))
    assert list(NoticeItem.objects.filter(notice=notice).values_list("text", flat=True)) == [
        "甲 甲一公司 技术革新骨干", "乙 甲一公司 技术革新骨干"]
    assert set(Nomination.objects.values_list("status", flat=True)) == {S.IN_NOTICE}
    with clock.frozen(dt.datetime(2026, 10, 10, 17)), pytest.raises(Conflict):
        notice_close(notice=notice, actor=SYSTEM)  # the period runs to the end of 10-10
    assert Nomination.objects.get(pk=noms[0].pk).status == S.IN_NOTICE


def test_objection_upheld_withdraws_and_frees_the_quota_then_conferral(tree, round_):
    noms = _through_to_shortlist(tree, round_, ["赵一", "钱二"])
    assert Quota.objects.get(scheme=round_).used == 2
    notice = svc.scheme_notice_publish(scheme=round_, actor=SYSTEM)
    worker = make_user("worker_x")
    item = NoticeItem.objects.get(notice=notice, source_id=str(noms[1].pk))
    with clock.frozen(dt.datetime(2026, 9, 29, 10)):
        objection = objection_submit(notice=notice, item=item, text="该同志事迹失实",
                                     actor=worker)
        objection_decide(objection=objection, upheld=True, reason="经核实事迹失实",
                         actor=SYSTEM)
    with clock.frozen(dt.datetime(2026, 10, 20, 10)):
        notice_close(notice=notice, actor=SYSTEM)
    assert Notice.objects.get(pk=notice.pk).status == Notice.Status.CLOSED
    assert dict(Nomination.objects.values_list("name", "status")) == {
        "赵一": S.APPROVED, "钱二": S.WITHDRAWN}
    assert Quota.objects.get(scheme=round_).used == 1
    assert NominationHistory.objects.get(nomination=noms[1], to_status=S.WITHDRAWN).reason == (
        "公示期间异议成立，撤销推荐")
    with clock.frozen(dt.datetime(2026, 10, 21, 10)):
        assert svc.scheme_confer(scheme=round_, actor=SYSTEM) == 1
    record = HonourRecord.objects.get()
    assert (record.name, record.year, record.level, record.title) == (
        "赵一", 2026, "city", "2026年度五一劳动奖章")
    assert ModelWorker.objects.get().name == "赵一"
    assert Nomination.objects.get(pk=noms[0].pk).status == S.CONFERRED
    assert AuditEvent.objects.filter(action="awards.scheme.confer").count() == 1


def test_publish_needs_a_shortlist_and_the_issuing_union(tree, round_):
    with pytest.raises(Conflict, match="没有拟表彰对象"):
        svc.scheme_notice_publish(scheme=round_, actor=SYSTEM)
    district = make_user("district_a", org=tree["SH-A"], role="admin")
    with pytest.raises(Forbidden):
        svc.scheme_notice_publish(scheme=round_, actor=district)
    assert Notice.objects.count() == 0


def test_quota_rules(tree, round_):
    with pytest.raises(ApplicationError, match="上下级重叠"):
        svc.quota_set(scheme=round_, org=tree["SH-A-1"], quota=3, actor=SYSTEM)
    n = nominate(round_, tree["SH-A-1-1"], member(tree["SH-A-1-1"], "丁"))
    _forward(round_, tree["SH-A-1"], [n])
    with pytest.raises(Conflict, match="名额不能少于 1"):
        svc.quota_set(scheme=round_, org=tree["SH-A"], quota=0, actor=SYSTEM)
    assert Quota.objects.get(scheme=round_, org=tree["SH-A"]).quota == 2


def test_direct_grassroots_consumes_on_submission(tree, round_):
    direct = make_org(tree["SH-A"], "SH-A-9", "甲区直属公司工会", "grassroots", "grassroots")
    n = nominate(round_, direct, member(direct, "直属"))
    assert (n.at_org.code, n.quota.org.code) == ("SH-A", "SH-A")
    assert Quota.objects.get(scheme=round_).used == 1
