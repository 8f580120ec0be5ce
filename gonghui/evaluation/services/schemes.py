"""Rating schemes (评家方案): the scored checklist, the grade thresholds, the veto items and the
re-rating period, defined by the city or a district."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from gonghui.audit.services import audit_record
from gonghui.core.actor import Actor
from gonghui.core.cells import CellError, parse_money
from gonghui.core.errors import ApplicationError, Conflict
from gonghui.evaluation.models import Grade, GradeThreshold, Item, Scheme, Section, VetoItem
from gonghui.evaluation.models.ratings import GRADE_ORDER
from gonghui.evaluation.permissions import require_write
from gonghui.orgs.models import Level, Org

# Who defines schemes: the city or a district (SPEC §2.9), or any federation above them.
SCHEME_LEVELS = (Level.NATIONAL, Level.PROVINCE, Level.CITY, Level.DISTRICT)


@dataclass
class ItemIn:
    title: str
    max_points: Decimal
    evidence: str = ""


@dataclass
class SectionIn:
    title: str
    items: list[ItemIn] = field(default_factory=list)


def parse_checklist(text: str) -> list[SectionIn]:
    """Lines of `板块 | 评分项 | 满分 | 佐证材料` (the last column optional) into sections."""
    sections: dict[str, SectionIn] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        cells = [c.strip() for c in line.replace("｜", "|").split("|")]
        if len(cells) < 3 or not cells[0] or not cells[1]:
            raise ApplicationError(
                _("第 {n} 行格式应为“板块 | 评分项 | 满分 | 佐证材料”。").format(n=number),
                code="checklist_format", extra={"field": "checklist"})
        try:
            points = parse_money(cells[2], allow_zero=False, maximum=Decimal("1000"))
        except CellError as exc:
            raise ApplicationError(_("第 {n} 行满分有误：{e}").format(n=number, e=exc.message),
                                   code="checklist_points", extra={"field": "checklist"}) from None
        section = sections.setdefault(cells[0], SectionIn(cells[0][:100]))
        section.items.append(ItemIn(cells[1][:300], points if points is not None else Decimal(0),
                                    cells[3][:300] if len(cells) > 3 else ""))
    return list(sections.values())


def _check_thresholds(thresholds: Mapping[str, Decimal], total: Decimal,
                      for_branches: bool) -> None:
    if not thresholds:
        raise ApplicationError(_("请至少设定一个等级的最低分。"), code="thresholds_required",
                               extra={"field": "thresholds"})
    allowed = {Grade.MODEL_SMALL} if for_branches else {Grade.MODEL, Grade.ADVANCED,
                                                        Grade.QUALIFIED}
    for grade, minimum in thresholds.items():
        if grade not in allowed:
            raise ApplicationError(
                _("“{g}”不适用于本方案（职工小家方案只评模范职工小家）。").format(
                    g=Grade(grade).label), code="threshold_grade", extra={"field": "thresholds"})
        if not Decimal(0) < minimum <= total:
            raise ApplicationError(
                _("“{g}”的最低分应大于 0 且不超过总分 {t}。").format(g=Grade(grade).label, t=total),
                code="threshold_range", extra={"field": "thresholds"})
    ordered = [thresholds[g] for g in GRADE_ORDER if g in thresholds]
    if any(high <= low for high, low in itertools.pairwise(ordered)):
        raise ApplicationError(_("等级越高，最低分应越高（模范 > 先进 > 合格）。"),
                               code="threshold_order", extra={"field": "thresholds"})


@transaction.atomic
def scheme_create(*, org: Org, name: str, year: int, sections: Sequence[SectionIn],
                  thresholds: Mapping[str, Decimal], vetoes: Sequence[str], actor: Actor,
                  rerating_years: int = 3, due_notice_days: int = 90,
                  for_branches: bool = False) -> Scheme:
    require_write(actor, org)
    if org.level not in SCHEME_LEVELS or not org.is_active:
        raise ApplicationError(_("评家方案由市、区（县）总工会或更高层级制定。"),
                               code="scheme_level", extra={"field": "org"})
    name = name.strip()
    if not name:
        raise ApplicationError(_("请填写方案名称。"), code="name_required", extra={"field": "name"})
    if not 1 <= rerating_years <= 10:
        raise ApplicationError(_("复评周期应为 1 至 10 年。"), code="rerating_range",
                               extra={"field": "rerating_years"})
    items = [i for s in sections for i in s.items]
    if not items:
        raise ApplicationError(_("评分细则至少要有一个评分项。"), code="items_required",
                               extra={"field": "checklist"})
    total = sum((i.max_points for i in items), Decimal("0"))
    _check_thresholds(thresholds, total, for_branches)
    try:
        with transaction.atomic():
            scheme = Scheme.objects.create(
                org=org, org_path=org.path, name=name[:200], year=year,
                rerating_years=rerating_years, due_notice_days=due_notice_days,
                for_branches=for_branches)
    except IntegrityError:
        raise Conflict(_("该单位本年度已有同名方案。"), code="scheme_duplicate") from None
    for s_pos, section_in in enumerate(sections, start=1):
        section = Section.objects.create(scheme=scheme, position=s_pos, title=section_in.title)
        Item.objects.bulk_create([Item(section=section, position=n, title=i.title,
                                       max_points=i.max_points, evidence=i.evidence)
                                  for n, i in enumerate(section_in.items, start=1)])
    GradeThreshold.objects.bulk_create([GradeThreshold(scheme=scheme, grade=g, min_score=m)
                                        for g, m in thresholds.items()])
    VetoItem.objects.bulk_create([VetoItem(scheme=scheme, title=v.strip()[:300])
                                  for v in vetoes if v.strip()])
    audit_record(actor=actor, action="evaluation.scheme.create", obj=scheme, org_path=org.path,
                 after={"name": scheme.name, "year": year, "items": len(items), "total": total,
                        "thresholds": {g: str(m) for g, m in thresholds.items()},
                        "vetoes": len(vetoes), "rerating_years": rerating_years})
    return scheme


def scheme_total(scheme: Scheme) -> Decimal:
    return sum((i.max_points for i in Item.objects.filter(section__scheme=scheme)), Decimal("0"))


def thresholds_of(scheme: Scheme) -> dict[str, Decimal]:
    return {t.grade: t.min_score for t in scheme.thresholds.all()}


@transaction.atomic
def scheme_set_active(*, scheme: Scheme, active: bool, actor: Actor) -> Scheme:
    require_write(actor, scheme.org)
    Scheme.objects.filter(pk=scheme.pk).update(active=active)
    scheme.active = active
    audit_record(actor=actor, action="evaluation.scheme.active", obj=scheme,
                 org_path=scheme.org_path, after={"active": active})
    return scheme
