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
