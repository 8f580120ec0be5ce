"""Demo data for democracy (the demo.seed hook): the terms of a few unions' bodies (one
overdue, one due within half a year), and a grassroots union's committee re-election run
through every step — approvals, roll, attendance, a paper first round that leaves a seat
empty and a further round — up to the higher union's approval. Idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any, TextIO

from gonghui.core import clock
from gonghui.democracy import services as svc
from gonghui.democracy.models import Body, Election
from gonghui.democracy.services import congress as csvc
from gonghui.workplan.services.departments import departments_ensure


def seed(*, orgs: dict[str, Any], users: dict[str, Any], stdout: TextIO | None = None,
         **_: Any) -> None:
    say = stdout.write if stdout is not None else (lambda _text: None)
    admin = users.get("admin")
    grassroots = [org for code, org in sorted(orgs.items()) if code.count("-") == 3][:3]
    if admin is None or not grassroots:
        say("Demo elections: skipped — no demo unions.\n")
        return
    if Election.objects.filter(org__in=grassroots).exists():
        say("Demo elections: already loaded.\n")
        return
    today = clock.today()
    union = grassroots[0]
    svc.term_set(org=union, body=Body.AUDIT, started_on=today.replace(year=today.year - 5)
                 - dt.timedelta(days=40), years=5, actor=admin)
    if len(grassroots) > 1:
        svc.term_set(org=grassroots[1], body=Body.COMMITTEE,
                     started_on=today.replace(year=today.year - 3) + dt.timedelta(days=90),
                     years=3, actor=admin)
    election = svc.election_create(org=union, title=f"{union.name}第三届委员会换届选举",
                                   body=Body.COMMITTEE, seats=5, meeting_on=today, actor=admin)
    svc.plan_approve(election=election, approval="上级工会同意选举工作方案",
                     consultation="经两上两下酝酿，职工小组推荐，党组织审核", actor=admin)
    names = ["王建国", "李秀英", "张伟", "刘洋", "陈静", "杨帆"]
    for name in names:
        svc.candidate_add(election=election, name=name, actor=admin)
    svc.voters_add(election=election, lines=[f"会员{i:02d}" for i in range(1, 31)], actor=admin)
    svc.candidates_approve(election=election, approval="上级工会同意候选人名单", actor=admin)
    svc.meeting_open(election=election, actor=admin,
                     present_ids=list(election.voters.values_list("pk", flat=True))[:27])
    first, _t = svc.round_open(election=election, mode="paper", actor=admin)
    svc.round_close_paper(voting=first, issued=27, returned=27, void=1, actor=admin,
                          tally={"王建国": 25, "李秀英": 23, "张伟": 20, "刘洋": 18,
                                 "陈静": 14, "杨帆": 12})
    second, _t = svc.round_open(election=election, mode="paper", actor=admin)
    svc.round_close_paper(voting=second, issued=27, returned=26, actor=admin,
                          tally={"陈静": 19, "杨帆": 7})
    election.refresh_from_db()
    svc.result_approve(election=election, approval="上级工会同意选举结果", actor=admin)
    say("Demo elections: one re-election closed, terms recorded.\n")
    _congress(orgs, users, say)


def _congress(orgs: dict[str, Any], users: dict[str, Any], say: Any) -> None:
    """黄浦's district congress: representatives (three with demo accounts), one session with
    its votes, a contact record, and a proposal taken to the proposer's verdict."""
    district, admin = orgs.get("SH-HP"), users.get("admin")
    reps_users = [users.get(n) for n in ("jichen", "caiwu", "njdl")]
    if district is None or admin is None or None in reps_users:
        return
    today = clock.today()
    congress = csvc.congress_create(org=district, name="黄浦区工会第十一次会员代表大会",
                                    started_on=today.replace(year=today.year - 2, month=3,
                                                             day=1), min_cosigners=2,
                                    actor=admin)
    lines = ["南京东路街道,基层工会主席,jichen", "南京东路街道,基层工会财务,caiwu",
             "南京东路街道,街道工会干部,njdl"]
    lines += [f"{street},代表{i:02d}" for i, street in enumerate(
        ["外滩街道", "瑞金二路街道"] * 6, start=1)]
    csvc.representatives_add(congress=congress, lines=lines, elected_on=congress.started_on,
                             actor=admin)
    ids = list(congress.representatives.values_list("pk", flat=True))
    session = csvc.session_hold(congress=congress, held_on=today - dt.timedelta(days=60),
                                agenda="审议工会工作报告、经费审查报告；提案工作报告",
                                present_ids=ids[:13], actor=admin)
    csvc.session_vote(session=session, subject="工会工作报告", yes=12, no=0, abstain=1,
                      actor=admin)
    csvc.session_vote(session=session, subject="经费审查报告", yes=11, no=1, abstain=1,
                      actor=admin)
    reps = {r.user.username: r for r in congress.representatives.filter(user__isnull=False)
            .select_related("user") if r.user is not None}
    jichen = reps["jichen"]
    csvc.contact_record(representative=jichen, on=today - dt.timedelta(days=20), kind="visit",
                        summary="走访快递网点，收集夏季防暑需求", members_reached=42,
                        actor=users["jichen"])
    proposal = csvc.proposal_draft(representative=jichen, title="关于为户外劳动者增设爱心驿站的提案",
                                   body="建议在外滩沿线增设两处爱心驿站，提供饮水、休息和充电。",
                                   actor=users["jichen"])
    for name in ("caiwu", "njdl"):
        csvc.proposal_cosign(proposal=proposal, representative=reps[name], actor=users[name])
    csvc.proposal_submit(proposal=proposal, actor=users["jichen"])
    csvc.proposal_decide(proposal=proposal, decision="accepted", actor=admin)
    departments = departments_ensure(org=district, names=["保障工作部", "基层工作部"],
                                     actor=admin)
    csvc.proposal_assign(proposal=proposal, lead=departments["保障工作部"],
                         co_departments=[departments["基层工作部"]],
                         deadline=today + dt.timedelta(days=30), actor=admin)
    csvc.proposal_reply(proposal=proposal, reply="已与街道协调，两处驿站将于下月启用。",
                        actor=admin)
    say("Demo congress: 黄浦 district congress with a session and a replied proposal.\n")
