"""The congress with standing representatives and the proposals workflow."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from conftest import make_user
from gonghui.audit.models import AuditEvent
from gonghui.core import clock
from gonghui.core.errors import ApplicationError, Conflict, NotFound
from gonghui.democracy import selectors
from gonghui.democracy.models import ProposalStatus, Representative
from gonghui.democracy.services import congress as svc
from gonghui.workplan.models import Department

pytestmark = pytest.mark.django_db


@pytest.fixture
def congress(tree: Any, district_cadre: Any) -> Any:
    for name in ("rep1", "rep2", "rep3", "rep4"):
        make_user(name)
    c = svc.congress_create(org=tree["SH-A"], name="甲区工会第五次会员代表大会",
                            started_on=dt.date(2024, 3, 1), min_cosigners=2,
                            actor=district_cadre)
    svc.representatives_add(congress=c, elected_on=dt.date(2024, 2, 1), actor=district_cadre,
                            lines=["一街道,赵一,rep1", "一街道,钱二,rep2", "二街道,孙三,rep3",
                                   "二街道,李四,rep4", "三街道,周五"])
    return c


def _rep(congress: Any, username: str) -> Representative:
    return congress.representatives.get(user__username=username)


def test_session_quorum_and_report_vote(congress: Any, district_cadre: Any) -> None:
    ids = list(congress.representatives.values_list("pk", flat=True))
    with pytest.raises(ApplicationError) as exc:
        svc.session_hold(congress=congress, held_on=dt.date(2026, 3, 1), agenda="工作报告",
                         present_ids=ids[:3], actor=district_cadre)
    assert exc.value.message == "代表 5 人，出席 3 人，不足三分之二，不能开会。"
    assert congress.sessions.count() == 0
    session = svc.session_hold(congress=congress, held_on=dt.date(2026, 3, 1),
                               agenda="审议工作报告", present_ids=ids[:4], actor=district_cadre)
    assert session.number == 1
    # adopted needs more than half of ALL five representatives: 3
    assert svc.session_vote(session=session, subject="工作报告", yes=3, no=1, abstain=0,
                            actor=district_cadre).adopted is True
    assert svc.session_vote(session=session, subject="经费审查报告", yes=2, no=0, abstain=2,
                            actor=district_cadre).adopted is False
    with pytest.raises(ApplicationError) as exc:
        svc.session_vote(session=session, subject="提案工作报告", yes=3, no=1, abstain=1,
                         actor=district_cadre)
    assert exc.value.message == "赞成、反对、弃权合计（5）多于出席人数（4）。"


def test_contact_record_by_the_representative(congress: Any) -> None:
    rep = _rep(congress, "rep1")
    with clock.frozen(dt.date(2026, 5, 1)):
        row = svc.contact_record(representative=rep, on=dt.date(2026, 4, 30), kind="visit",
                                 summary="走访一车间，收集食堂意见", members_reached=35,
                                 actor=rep.user)
    assert (row.kind, row.members_reached) == ("visit", 35)
    with pytest.raises(NotFound):
        svc.contact_record(representative=rep, on=dt.date(2026, 4, 30), kind="visit",
                           summary="冒名", actor=_rep(congress, "rep2").user)


def test_proposal_runs_to_satisfaction_with_one_reopen(congress: Any, district_cadre: Any,
                                                        tree: Any) -> None:
    rep1, rep2, rep3 = (_rep(congress, n) for n in ("rep1", "rep2", "rep3"))
    proposal = svc.proposal_draft(representative=rep1, title="关于改善一线职工用餐条件的提案",
                                  body="建议延长食堂供餐时间", actor=rep1.user)
    svc.proposal_cosign(proposal=proposal, representative=rep2, actor=rep2.user)
    with pytest.raises(ApplicationError) as exc:
        svc.proposal_submit(proposal=proposal, actor=rep1.user)
    assert exc.value.message == "提案须有至少 2 名代表附议，目前 1 名。"
    with pytest.raises(Conflict):
        svc.proposal_cosign(proposal=proposal, representative=rep2, actor=rep2.user)
    svc.proposal_cosign(proposal=proposal, representative=rep3, actor=rep3.user)
    svc.proposal_submit(proposal=proposal, actor=rep1.user)
    with pytest.raises(ApplicationError) as exc:
        svc.proposal_decide(proposal=proposal, decision="declined", actor=district_cadre)
    assert exc.value.message == "转为意见建议或不予立案时须说明理由。"
    svc.proposal_decide(proposal=proposal, decision="accepted", actor=district_cadre)
    office = Department.objects.create(org=tree["SH-A"], name="办公室")
    welfare = Department.objects.create(org=tree["SH-A"], name="保障工作部")
    with clock.frozen(dt.date(2026, 4, 1)):
        svc.proposal_assign(proposal=proposal, lead=welfare, co_departments=[office],
                            deadline=dt.date(2026, 6, 30), actor=district_cadre)
        svc.proposal_reply(proposal=proposal, reply="已协调延长供餐至20:00",
                           actor=district_cadre)
        svc.proposal_rate(proposal=proposal, satisfaction="not", actor=rep1.user)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.reopened) == (ProposalStatus.ASSIGNED, True)
    with clock.frozen(dt.date(2026, 5, 1)):
        svc.proposal_reply(proposal=proposal, reply="增设夜班供餐点", actor=district_cadre)
        svc.proposal_rate(proposal=proposal, satisfaction="not", actor=rep1.user)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.satisfaction) == (ProposalStatus.CLOSED, "not")
    assert list(proposal.history.order_by("id").values_list("to_status", flat=True)) == [
        "submitted", "accepted", "assigned", "replied", "assigned", "replied", "closed"]
    assert list(proposal.departments.order_by("-is_lead").values_list(
        "department__name", "is_lead")) == [("保障工作部", True), ("办公室", False)]
    stats = selectors.proposal_stats(viewer=district_cadre, year=proposal.year)
    assert stats["by_status"]["closed"] == 1
    assert stats["by_department"] == [("保障工作部", 1), ("办公室", 1)]
    assert stats["satisfaction"] == {"satisfied": 0, "basic": 0, "not": 1}


def test_other_district_cannot_touch_the_congress(congress: Any, other_district_cadre: Any,
                                                  district_cadre: Any) -> None:
    rep1 = _rep(congress, "rep1")
    proposal = svc.proposal_draft(representative=rep1, title="提案", body="内容",
                                  actor=rep1.user)
    before = AuditEvent.objects.count()
    with pytest.raises(NotFound):
        svc.session_hold(congress=congress, held_on=dt.date(2026, 3, 1), agenda="",
                         present_ids=[], actor=other_district_cadre)
    with pytest.raises(NotFound):
        svc.proposal_submit(proposal=proposal, actor=district_cadre)  # not the proposer
    assert AuditEvent.objects.count() == before
    assert list(selectors.congress_list(viewer=other_district_cadre)) == []
    assert list(selectors.congress_list(viewer=district_cadre)) == [congress]


def test_yearly_proposal_report_as_pdf(client: Any, congress: Any, district_cadre: Any,
                                       tree: Any) -> None:
    """The report for the congress's file: the figures, then every proposal of the viewer's
    subtree — another district's cadre gets a report without them."""
    import subprocess

    from conftest import ARTIFACTS, login

    rep1, rep2, rep3 = (_rep(congress, n) for n in ("rep1", "rep2", "rep3"))
    with clock.frozen(dt.date(2026, 3, 10)):
        proposal = svc.proposal_draft(representative=rep1, title="关于增设职工子女暑托班的提案",
                                      body="建议在园区开设暑托班", actor=rep1.user)
        for rep in (rep2, rep3):
            svc.proposal_cosign(proposal=proposal, representative=rep, actor=rep.user)
        svc.proposal_submit(proposal=proposal, actor=rep1.user)
        svc.proposal_decide(proposal=proposal, decision="accepted", actor=district_cadre)
        welfare = Department.objects.create(org=tree["SH-A"], name="女职工部")
        svc.proposal_assign(proposal=proposal, lead=welfare, co_departments=[],
                            deadline=dt.date(2026, 6, 30), actor=district_cadre)

    def text_of(user: Any) -> str:
        response = login(client, user).get("/democracy/proposals/report.xlsx",
                                           {"year": "2026", "format": "pdf"})
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"democracy-proposals-{user.username}.pdf"
        path.write_bytes(response.content)
        out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                             capture_output=True, text=True).stdout
        return "".join(out.split())

    mine = text_of(district_cadre)
    assert "2026年提案报告" in mine
    assert "甲区总工会·共1件提案" in mine
    assert "关于增设职工子女暑托班的提案" in mine
    assert "女职工部1" in mine  # the department figures
    assert "2026-06-30" in mine
    other = text_of(make_user("cadre_b", org=tree["SH-B"], role="cadre"))
    assert "乙区总工会·共0件提案" in other
    assert "关于增设职工子女暑托班的提案" not in other
    assert "本年度没有提案。" in other
