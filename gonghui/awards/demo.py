"""Demo data for 建功立业 (`gonghui seed-demo`, the demo.seed hook): this year's city May-Day
medal round with quotas for 黄浦区 and 徐汇区 and nominations at every level, a craftsmen round
in 公示, model workers with care records, a skill contest with scores, and an innovation studio.

Built through the services, so every row, history entry and audit record is what real use
would have made. Needs demo members; without them this step says so and does nothing.
Idempotent: a second run adds nothing."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal
from typing import Any, TextIO

from gonghui.awards.models import HonourScheme
from gonghui.awards.services import competitions as comp_svc
from gonghui.awards.services import honours as svc
from gonghui.awards.services import register as reg_svc
from gonghui.awards.services import studios as studio_svc
from gonghui.core import clock
from gonghui.core.errors import ApplicationError
from gonghui.members.models import Membership, MembershipStatus

DEEDS = [
    ("frontline", "一线操作技能过硬，带徒二十余人", "技能带头人"),
    ("technical", "主持工艺改进，年节约成本三百万元", "工艺改进骨干"),
    ("frontline", "坚守岗位三十年，零事故", "安全生产标兵"),
    ("manager", "带领班组完成重点工程", "班组建设带头人"),
]


def _members(code_prefix: str, n: int) -> list[Any]:
    rows = (Membership.objects.filter(union__code__startswith=code_prefix,
                                      union__level="grassroots",
                                      status=MembershipStatus.ACTIVE)
            .select_related("person", "union").order_by("pk")[:n])
    return list(rows)


def seed(*, orgs: dict[str, Any], users: dict[str, Any], stdout: TextIO | None = None,
         **_: Any) -> None:
    say = stdout.write if stdout is not None else (lambda _text: None)
    admin = users["admin"]
    year = clock.today().year
    city = orgs.get("SH")
    if city is None or HonourScheme.objects.filter(org=city, year=year).exists():
        say("Demo awards: already loaded.\n")
        return
    hp, xh = _members("SH-HP-", 8), _members("SH-XH-", 4)
    if len(hp) < 6:
        say("Demo awards: skipped — no demo members yet.\n")
        return
    medal = svc.scheme_create(org=city, kind="labour_medal", year=year,
                              title=f"{year}年度上海市五一劳动奖章", actor=admin,
                              notice_working_days=5, min_frontline_pct=50, max_manager_pct=20,
                              exclusion_years=5)
    for code in ("SH-HP", "SH-XH"):
        if code in orgs:
            svc.quota_set(scheme=medal, org=orgs[code], quota=3, actor=admin)
    made = []
    for i, m in enumerate(hp[:4] + xh[:2]):
        category, deeds, summary = DEEDS[i % len(DEEDS)]
        try:
            made.append(svc.nomination_create(scheme=medal, union=m.union, actor=admin,
                                              person=m.person, category=category,
                                              deeds=deeds, deeds_summary=summary))
        except ApplicationError:
            continue
    # 黄浦区's first street has forwarded its two front-line nominees
    first_street = [n for n in made if n.at_org.code.startswith("SH-HP")][:2]
    if first_street:
        by_street: dict[Any, list[int]] = {}
        for n in first_street:
            by_street.setdefault(n.at_org, []).append(n.pk)
        for org, ids in by_street.items():
            with contextlib.suppress(ApplicationError):  # a rule refused: leave it at the street
                svc.list_forward(scheme=medal, org=org, nomination_ids=ids, actor=admin)
    _craftsmen(city, hp[4:6], admin, year)
    _register(hp[6:8], admin, year)
    _competition(orgs, hp[:4], admin, year)
    say(f"Demo awards: {len(made)} nominations, a craftsmen 公示, register, contest, studio.\n")


def _craftsmen(city: Any, members: list[Any], admin: Any, year: int) -> None:
    scheme = svc.scheme_create(org=city, kind="craftsman", year=year,
                               title=f"{year}年度上海工匠", actor=admin, notice_working_days=5,
                               min_technical_pct=30)
    ids = []
    for m in members:
        try:
            n = svc.nomination_create(scheme=scheme, union=m.union, actor=admin,
                                      person=m.person, category="technical",
                                      deeds="攻克精密加工难题，获国家专利三项",
                                      deeds_summary="精密加工技术能手")
        except ApplicationError:
            continue
        ids.append(n.pk)
        org = n.at_org
        while True:
            svc.list_forward(scheme=scheme, org=org, nomination_ids=[n.pk], actor=admin)
            if org.pk == city.pk:
                break
            org = org.get_parent()
    if ids:
        # an unknown calendar year refuses: the notice waits for the administrator
        with contextlib.suppress(ApplicationError):
            svc.scheme_notice_publish(scheme=scheme, actor=admin)


def _register(members: list[Any], admin: Any, year: int) -> None:
    for i, m in enumerate(members):
        worker = reg_svc.model_worker_add(person=m.person, union=m.union, actor=admin,
                                          kind="model_worker", year=year - 20 - i,
                                          level="city", title="上海市劳动模范",
                                          monthly_allowance=Decimal("300.00"))
        reg_svc.care_record(worker=worker, kind="allowance", on=clock.today(), actor=admin,
                            amount=Decimal("300.00"), note="本月劳模津贴")
        if i == 0:
            reg_svc.care_record(worker=worker, kind="health_check",
                                on=clock.today() - dt.timedelta(days=30), actor=admin,
                                note="年度健康体检")


def _competition(orgs: dict[str, Any], members: list[Any], admin: Any, year: int) -> None:
    district = orgs.get("SH-HP")
    if district is None:
        return
    comp = comp_svc.competition_create(
        org=district, title=f"{year}年黄浦区职工钳工技能竞赛", kind="skill", year=year,
        actor=admin, criteria=[("理论知识", Decimal("100"), Decimal("0.3")),
                               ("实际操作", Decimal("100"), Decimal("0.7"))])
    entries = []
    for m in members:
        try:
            entries.append(comp_svc.entry_add(competition=comp, actor=admin, person=m.person))
        except ApplicationError:
            continue
    comp_svc.competition_advance(competition=comp, actor=admin)
    for i, entry in enumerate(entries):
        for criterion, mark in zip(comp.criteria.all(), (85 - i * 3, 90 - i * 5), strict=True):
            comp_svc.score_record(entry=entry, criterion=criterion, score=Decimal(mark),
                                  actor=admin)
    studio = studio_svc.studio_create(org=district, name="黄浦区劳模创新工作室",
                                      level="district", founded_year=year - 3, actor=admin,
                                      lead_name="张建国", members="王强、李敏、赵磊",
                                      field="精密制造")
    studio_svc.studio_rate(studio=studio, year=year - 1, rating="excellent", actor=admin,
                           achievements="完成技术革新 12 项")
    studio_svc.result_create(org=district, title="数控刀具快换装置", year=year - 1,
                             people="张建国、王强", actor=admin, studio=studio,
                             award="上海市职工技术创新成果二等奖", benefit="年节约 80 万元")
