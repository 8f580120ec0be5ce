"""Competitions: creation with criteria, entries (eligibility), judges' scores, stages, the
ranking with its tie rule, skill-grade upgrades recorded on the member's record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Avg
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.audit.services import audit_record
from gonghui.awards.models import (
    Competition,
    CompetitionKind,
    Criterion,
    Entry,
    Score,
    Stage,
    TieRule,
)
from gonghui.awards.models.competitions import STAGE_TRANSITIONS
from gonghui.core import clock
from gonghui.core.actor import Actor, actor_name, actor_user
from gonghui.core.errors import ApplicationError, Conflict, Forbidden
from gonghui.core.workflow import initial_status, transition
from gonghui.members.choices import SkillLevel
from gonghui.members.models import HELD_STATUSES, Membership, Person
from gonghui.members.services.memberships import member_update
from gonghui.orgs.models import Org

WRITE = Capability.AWARDS_WRITE


def _err(message: str, code: str, field: str = "") -> ApplicationError:
    return ApplicationError(message, code=code, extra={"field": field} if field else {})


def competition_create(*, org: Org, title: str, kind: str, year: int, actor: Actor,
                       criteria: Sequence[tuple[str, Decimal, Decimal]], team: bool = False,
                       trade: str = "", min_age: int | None = None, max_age: int | None = None,
                       tie_rule: str = TieRule.CRITERIA) -> Competition:
    """`criteria`: (name, max score, weight) in the order the tie rule compares them."""
    require_capability(actor, WRITE, org)
    if not org.is_active:
        raise _err(_("该组织已撤销或合并，不能举办竞赛。"), "org_inactive", "org")
    if not title.strip():
        raise _err(_("请填写竞赛名称。"), "title", "title")
    if kind not in CompetitionKind.values:
        raise _err(_("请选择竞赛类型。"), "kind", "kind")
    if tie_rule not in TieRule.values:
        raise _err(_("请选择同分规则。"), "tie_rule", "tie_rule")
    if min_age is not None and max_age is not None and min_age > max_age:
        raise _err(_("最低年龄不能大于最高年龄。"), "ages", "max_age")
    if not criteria:
        raise _err(_("请至少设置一个评分项。"), "criteria", "criteria")
    for name, top, weight in criteria:
        if not name.strip() or top <= 0 or weight <= 0:
            raise _err(_("评分项“{name}”的满分和权重必须大于 0。").format(name=name), "criteria",
                       "criteria")
    with transaction.atomic():
        comp = Competition.objects.create(
            org=org, org_path=org.path, title=title.strip()[:200], kind=kind, team=team,
            year=year, trade=trade.strip()[:64], min_age=min_age, max_age=max_age,
            tie_rule=tie_rule,
            status=initial_status(Competition, Stage.REGISTRATION, initial={Stage.REGISTRATION}))
        Criterion.objects.bulk_create([
            Criterion(competition=comp, position=i, name=n.strip()[:100], max_score=m, weight=w)
            for i, (n, m, w) in enumerate(criteria, start=1)])
        audit_record(actor=actor, action="awards.competition.create", obj=comp,
                     org_path=org.path, after={"title": comp.title, "kind": kind})
    return comp


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def entry_add(*, competition: Competition, actor: Actor, person: Person | None = None,
              team_name: str = "", team_members: str = "", union: Org | None = None) -> Entry:
    """Enter a member (or a team of a union) — only members of the organiser's subtree, within
    the trade and age limits."""
    if competition.status != Stage.REGISTRATION:
        raise Conflict(_("报名已截止。"), code="registration_closed")
    if competition.team:
        if union is None or not team_name.strip():
            raise _err(_("请填写队伍名称并选择所属工会。"), "team", "team_name")
        require_capability(actor, WRITE, union)
        if not union.path.startswith(competition.org_path):
            raise _err(_("只有主办工会下属的工会可以报名。"), "outside", "union")
        name, entry_union = team_name.strip()[:200], union
    else:
        if person is None:
            raise _err(_("请选择参赛会员。"), "person", "person")
        membership = (Membership.objects.select_related("union")
                      .filter(person=person, status__in=HELD_STATUSES,
                              union_path__startswith=competition.org_path).first())
        if membership is None:
            raise _err(_("{name}不是主办工会范围内的在册会员，不能报名。").format(
                name=person.name), "not_member", "person")
        require_capability(actor, WRITE, membership.union)
        if competition.trade and competition.trade not in (person.occupation or ""):
            raise _err(_("本竞赛限{trade}工种，{name}的岗位是“{job}”。").format(
                trade=competition.trade, name=person.name, job=person.occupation or "—"),
                "trade", "person")
        age = _age(person.birth_date, clock.today())
        if competition.min_age is not None and age < competition.min_age:
            raise _err(_("本竞赛要求年满 {n} 周岁，{name}现年 {age} 岁。").format(
                n=competition.min_age, name=person.name, age=age), "age", "person")
        if competition.max_age is not None and age > competition.max_age:
            raise _err(_("本竞赛限 {n} 周岁以下，{name}现年 {age} 岁。").format(
                n=competition.max_age, name=person.name, age=age), "age", "person")
        name, entry_union = person.name, membership.union
    try:
        with transaction.atomic():
            entry = Entry.objects.create(
                competition=competition, org_id=competition.org_id, union=entry_union,
                union_path=entry_union.path,
                person=person if not competition.team else None, name=name,
                team_members=team_members.strip()[:500], registered_at=clock.now())
            audit_record(actor=actor, action="awards.entry.add", obj=entry,
                         org_path=entry_union.path, after={"competition": competition.pk})
    except IntegrityError as exc:
        raise Conflict(_("{name}已报名本竞赛。").format(name=name), code="entered") from exc
    return entry


def competition_advance(*, competition: Competition, actor: Actor,
                        finalists: int | None = None) -> Competition:
    """Next stage: registration → preliminaries → finals (the top `finalists` of the
    preliminaries go through) → results published."""
    require_capability(actor, WRITE, competition.org)
    target = {Stage.REGISTRATION: Stage.PRELIMINARIES, Stage.PRELIMINARIES: Stage.FINALS,
              Stage.FINALS: Stage.PUBLISHED}.get(Stage(competition.status))
    if target is None:
        raise Conflict(_("竞赛结果已发布。"), code="published")
    with transaction.atomic():
        if target == Stage.FINALS:
            rows = ranking(competition, stage=Stage.PRELIMINARIES)
            keep = [r.entry.pk for r in rows if finalists is None or r.rank <= finalists]
            Entry.objects.filter(competition=competition, pk__in=keep).update(in_finals=True)
        comp = transition(competition, target, transitions=STAGE_TRANSITIONS, actor=actor)
        audit_record(actor=actor, action="awards.competition.advance", obj=comp,
                     org_path=comp.org_path, after={"stage": target})
    return comp


def score_record(*, entry: Entry, criterion: Criterion, score: Decimal,
                 actor: Actor) -> Score:
    comp = entry.competition
    require_capability(actor, WRITE, comp.org)
    user = actor_user(actor)
    if user is None:
        raise Forbidden(_("评分须由评委本人登录录入。"))
    if comp.status not in (Stage.PRELIMINARIES, Stage.FINALS):
        raise Conflict(_("当前阶段“{s}”不能评分。").format(s=Stage(comp.status).label),
                       code="stage")
    if comp.status == Stage.FINALS and not Entry.objects.filter(pk=entry.pk,
                                                                in_finals=True).exists():
        raise Conflict(_("{name}未进入决赛。").format(name=entry.name), code="not_finalist")
    if criterion.competition_id != comp.pk:
        raise _err(_("评分项不属于本竞赛。"), "criterion", "criterion")
    if not Decimal("0") <= score <= criterion.max_score:
        raise _err(_("“{c}”得分应在 0 至 {m} 之间。").format(c=criterion.name,
                                                           m=criterion.max_score),
                   "score_range", "score")
    with transaction.atomic():
        # the entry's union in the lookup: update_or_create locks the row (FOR UPDATE), which
        # Citus runs only on one shard
        row, _created = Score.objects.update_or_create(
            org_id=entry.org_id, entry=entry, criterion=criterion, judge=user, stage=comp.status,
            defaults={"score": score, "judge_name": actor_name(actor)})
        audit_record(actor=actor, action="awards.score.record", obj=row,
                     org_path=entry.union_path,
                     after={"entry": entry.pk, "criterion": criterion.pk, "score": str(score)})
    return row


@dataclass
class Ranked:
    entry: Entry
    rank: int
    total: Decimal
    by_criterion: list[Decimal]


def ranking(competition: Competition, *, stage: str | None = None) -> list[Ranked]:
    """Weighted total of the judges' average per criterion; ties by the competition's rule:
    shared ranks, the criteria in order, or the earlier entry."""
    stage = stage or (Stage.FINALS if competition.status in (Stage.FINALS, Stage.PUBLISHED)
                      else Stage.PRELIMINARIES)
    criteria = list(competition.criteria.all())
    entries = list(competition.entries.all())
    if stage == Stage.FINALS:
        entries = [e for e in entries if e.in_finals]
    means = {(r["entry"], r["criterion"]): r["m"] for r in
             Score.objects.filter(entry__competition=competition, stage=stage)
             .values("entry", "criterion").annotate(m=Avg("score"))}
    rows = []
    for e in entries:
        marks = [Decimal(str(means.get((e.pk, c.pk)) or 0)).quantize(Decimal("0.01"))
                 for c in criteria]
        total = sum((m * c.weight for m, c in zip(marks, criteria, strict=True)),
                    Decimal("0")).quantize(Decimal("0.01"))
        rows.append(Ranked(entry=e, rank=0, total=total, by_criterion=marks))
    rule = competition.tie_rule
    if rule == TieRule.CRITERIA:
        rows.sort(key=lambda r: (-r.total, *[-m for m in r.by_criterion], r.entry.registered_at,
                                 r.entry.pk))
    else:
        rows.sort(key=lambda r: (-r.total, r.entry.registered_at, r.entry.pk))
    for i, r in enumerate(rows, start=1):
        if rule == TieRule.SHARED and i > 1 and r.total == rows[i - 2].total:
            r.rank = rows[i - 2].rank
        elif rule == TieRule.CRITERIA and i > 1 and (r.total, r.by_criterion) == (
                rows[i - 2].total, rows[i - 2].by_criterion):
            r.rank = rows[i - 2].rank  # identical on every criterion: shared
        else:
            r.rank = i
    return rows


def skill_upgrade_record(*, entry: Entry, level: str, actor: Actor) -> Entry:
    """技能晋级 as a result: the grade goes on the member's record through the members service."""
    require_capability(actor, WRITE, entry.competition.org)
    if entry.competition.status != Stage.PUBLISHED:
        raise Conflict(_("结果发布后才能登记技能晋级。"), code="not_published")
    if entry.person_id is None:
        raise _err(_("团体参赛不能登记个人技能晋级。"), "team", "level")
    if level not in SkillLevel.values or not level:
        raise _err(_("请选择技能等级。"), "level", "level")
    membership = (Membership.objects.select_related("union", "person")
                  .filter(person_id=entry.person_id, status__in=HELD_STATUSES).first())
    if membership is None:
        raise _err(_("该选手已无有效会籍。"), "not_member", "level")
    with transaction.atomic():
        member_update(membership=membership, fields={"skill_level": level}, actor=actor,
                      reason=_("竞赛技能晋级：{c}").format(c=entry.competition.title))
        Entry.objects.filter(pk=entry.pk).update(skill_upgrade=level)
        entry.skill_upgrade = level
        audit_record(actor=actor, action="awards.entry.skill_upgrade", obj=entry,
                     org_path=entry.union_path, after={"level": level})
    return entry
