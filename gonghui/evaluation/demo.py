"""Demo data for evaluation (`gonghui seed-demo`, the demo.seed hook): 黄浦区's 2026 建家评家
scheme; a union that went through the whole round last year (self-assessment → review →
on-site check → decision → 公示 → title), one waiting for the street's review this year; a
member satisfaction campaign and a sampled workforce survey with answers; third-party scores.

Built through the services (the clock moved back for last year's round), so every history row
and audit record is what real use would have made. Idempotent: a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any, TextIO

from django.core.files.uploadedfile import SimpleUploadedFile

from gonghui.core import clock
from gonghui.core.errors import ApplicationError
from gonghui.evaluation.models import Grade, Invitation, ItemScore, Scheme
from gonghui.evaluation.services import ratings as rating_svc
from gonghui.evaluation.services import scores as score_svc
from gonghui.evaluation.services import surveys as survey_svc
from gonghui.evaluation.services.schemes import ItemIn, SectionIn, scheme_create
from gonghui.notices.services import notice_close

CHECKLIST = [
    ("组织建设", [("工会组织健全，按期换届", "20", "换届批复"), ("会员入会率达到 90% 以上", "10", "")]),
    ("民主管理", [("职代会制度健全，厂务公开", "20", "职代会决议"), ("集体合同签订履行", "10", "")]),
    ("维权服务", [("困难职工帮扶到位", "15", ""), ("劳动安全卫生监督", "10", "")]),
    ("经费与阵地", [("经费收支规范", "10", "经审报告"), ("职工之家阵地", "5", "")]),
]
PDF = b"%PDF-1.4 demo evidence"


def _scheme(org: Any, actor: Any, year: int, name: str) -> Scheme:
    existing = Scheme.objects.filter(org=org, year=year, name=name).first()
    if existing:
        return existing
    return scheme_create(
        org=org, name=name, year=year, actor=actor,
        sections=[SectionIn(s, [ItemIn(t, Decimal(p), e) for t, p, e in items])
                  for s, items in CHECKLIST],
        thresholds={Grade.MODEL: Decimal("90"), Grade.ADVANCED: Decimal("80"),
                    Grade.QUALIFIED: Decimal("60")},
        vetoes=["当年发生重大安全生产责任事故", "当年发生经费违规使用问题", "发生严重侵害职工权益事件"])


def _self(rating: Any, actor: Any, minus: Decimal) -> None:
    rows = list(ItemScore.objects.select_related("item").filter(rating=rating))
    scores = {r.item_id: (r.item.max_points - (minus if n == 0 else 0), "") for n, r in
              enumerate(rows)}
    rating_svc.self_scores_save(rating=rating, scores=scores, actor=actor)
    for r in rows:
        if r.item.evidence:
            rating_svc.evidence_add(rating=rating, item=r.item, actor=actor,
                                    upload=SimpleUploadedFile(f"{r.item.evidence}.pdf", PDF))
    rating_svc.rating_submit(rating=rating, actor=actor)


def seed(*, orgs: dict[str, Any], users: dict[str, Any], stdout: TextIO | None = None,
         **_: Any) -> None:
    say = stdout.write if stdout is not None else (lambda _text: None)
    district: Any = orgs.get("SH-HP")
    street: Any = orgs.get("SH-HP-01")
    union1: Any = orgs.get("SH-HP-01-01")
    union2: Any = orgs.get("SH-HP-01-02")
    if not all((district, street, union1, union2)):
        return
    admin, district_user = users["admin"], users.get("huangpu", users["admin"])
    today = clock.today()
    if Scheme.objects.filter(org=district).exists():
        return
    # last year's round, on last year's dates
    last = today.year - 1
    with clock.frozen(dt.datetime(last, 4, 1, 10, 0)):
        old = _scheme(district, district_user, last, f"黄浦区{last}年职工之家评定方案")
        rating = rating_svc.rating_open(scheme=old, org=union1, actor=admin)
        _self(rating, admin, Decimal("3"))
        rating_svc.review_complete(rating=rating, vetoes={}, actor=district_user,
                                   note="材料齐全")
        rating_svc.onsite_record(rating=rating, on=dt.date(last, 4, 1), by="区总工会基层工作部",
                                 note="职工之家阵地整洁，台账规范", actor=district_user)
        rating_svc.rating_decide(rating=rating, actor=district_user)
        notice = rating_svc.ratings_publicize(
            ratings=[rating], org=district, title=f"黄浦区{last}年度模范职工之家公示",
            working_days=5, actor=district_user)
    with clock.frozen(dt.datetime(last, 4, 15, 10, 0)):
        notice_close(notice=notice, actor=district_user)
    # this year's scheme and a rating waiting for the street
    scheme = _scheme(district, district_user, today.year, f"黄浦区{today.year}年职工之家评定方案")
    waiting = rating_svc.rating_open(scheme=scheme, org=union2, actor=admin)
    _self(waiting, admin, Decimal("12"))
    # a satisfaction campaign and a sampled workforce survey, answered by some members
    campaign = survey_svc.survey_create(
        org=union1, kind="satisfaction", title=f"{today.year}年度会员满意度测评", year=today.year,
        closes_on=today + dt.timedelta(days=30), actor=admin, min_group=5)
    survey = survey_svc.survey_create(
        org=district, title=f"{today.year}年黄浦区职工队伍状况抽样调查", year=today.year,
        closes_on=today + dt.timedelta(days=45), actor=district_user, sample_size=40,
        sample_seed=today.year)
    q1 = survey_svc.question_add(survey=survey, kind="single", text="您目前的用工形式满意吗？",
                                 options=["满意", "一般", "不满意"], actor=district_user)
    survey_svc.question_add(survey=survey, kind="text", text="不满意的主要原因", required=False,
                            show_if=q1, show_if_value="3", actor=district_user)
    survey_svc.question_add(survey=survey, kind="number", text="您每周平均工作小时数",
                            actor=district_user)
    survey_svc.question_add(survey=survey, kind="multiple", text="您最希望工会提供的服务",
                            options=["技能培训", "法律援助", "子女托管", "健康体检", "文体活动"],
                            actor=district_user)
    answered = 0
    pick = random.Random(today.year)
    for s in (campaign, survey):
        try:
            survey_svc.survey_open(survey=s, actor=admin)
        except ApplicationError as exc:   # no members yet: the demo survey stays a draft
            say(f"evaluation: {s.title}: {exc.message}\n")
            continue
        questions = list(s.questions.all())
        for inv in Invitation.objects.filter(survey=s).select_related("person")[:30]:
            answers: dict[int, Any] = {}
            for q in questions:
                if q.kind == "scale":
                    answers[q.pk] = str(pick.choice([3, 4, 4, 5, 5]))
                elif q.kind == "single":
                    answers[q.pk] = str(pick.choice([1, 1, 2, 3]))
                elif q.kind == "multiple":
                    answers[q.pk] = [str(pick.randint(1, 5))]
                elif q.kind == "number":
                    answers[q.pk] = str(pick.choice([40, 44, 48, 52]))
            if s.questions.filter(show_if__isnull=False).exists() and answers.get(q1.pk) == "3":
                answers[questions[1].pk] = "加班多、收入低"
            survey_svc.response_submit(survey=s, person=inv.person, answers=answers,
                                       actor=admin)
            answered += 1
    for org, score in ((union1, Decimal("91.50")), (union2, Decimal("84.00"))):
        score_svc.third_party_set(org=org, year=today.year, evaluator="上海社会组织评估中心",
                                  score=score, actor=district_user)
    say(f"evaluation: 2 schemes, 2 ratings (1 title), 2 surveys with {answered} answers\n")
