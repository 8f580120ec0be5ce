"""Innovation studios (创新工作室): registry, (re-)rating, results (职工创新成果)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.audit.services import audit_record
from gonghui.awards.models import InnovationResult, ModelWorker, Studio, StudioLevel, StudioRating
from gonghui.core import clock
from gonghui.core.actor import Actor
from gonghui.core.errors import ApplicationError, Conflict
from gonghui.orgs.models import Org

WRITE = Capability.AWARDS_WRITE


def studio_create(*, org: Org, name: str, level: str, founded_year: int, actor: Actor,
                  lead: ModelWorker | None = None, lead_name: str = "", members: str = "",
                  field: str = "") -> Studio:
    require_capability(actor, WRITE, org)
    if not name.strip():
        raise ApplicationError(_("请填写工作室名称。"), code="name", extra={"field": "name"})
    if level not in StudioLevel.values:
        raise ApplicationError(_("请选择级别。"), code="level", extra={"field": "level"})
    if lead is not None and not lead.union_path.startswith(org.path):
        raise ApplicationError(_("领衔人应为本单位的劳模或工匠。"), code="lead",
                               extra={"field": "lead"})
    lead_name = lead.name if lead is not None else lead_name.strip()
    if not lead_name:
        raise ApplicationError(_("请填写领衔人。"), code="lead", extra={"field": "lead_name"})
    if not 1990 <= founded_year <= clock.today().year:
        raise ApplicationError(_("命名年度不正确。"), code="year",
                               extra={"field": "founded_year"})
    with transaction.atomic():
        studio = Studio.objects.create(org=org, org_path=org.path, name=name.strip()[:200],
                                       level=level, lead=lead, lead_name=lead_name[:64],
                                       members=members.strip()[:500], field=field.strip()[:100],
                                       founded_year=founded_year)
        audit_record(actor=actor, action="awards.studio.create", obj=studio, org_path=org.path,
                     after={"name": studio.name, "level": level})
    return studio


def studio_rate(*, studio: Studio, year: int, rating: str, actor: Actor,
                achievements: str = "") -> StudioRating:
    require_capability(actor, WRITE, studio.org)
    if rating not in StudioRating.Rating.values:
        raise ApplicationError(_("请选择评级。"), code="rating", extra={"field": "rating"})
    if year < studio.founded_year or year > clock.today().year:
        raise ApplicationError(_("评级年度应在命名年度与今年之间。"), code="year",
                               extra={"field": "year"})
    try:
        with transaction.atomic():
            row = StudioRating.objects.create(studio=studio, year=year, rating=rating,
                                              achievements=achievements.strip())
            # the studio shows its latest rating; an earlier year entered late changes nothing
            Studio.objects.filter(pk=studio.pk).filter(
                Q(rated_year__isnull=True) | Q(rated_year__lte=year)).update(rating=rating,
                                                                              rated_year=year)
            audit_record(actor=actor, action="awards.studio.rate", obj=studio,
                         org_path=studio.org_path, after={"year": year, "rating": rating})
    except IntegrityError as exc:
        raise Conflict(_("{year} 年度已评级。").format(year=year), code="rated") from exc
    return row


def result_create(*, org: Org, title: str, year: int, people: str, actor: Actor,
                  studio: Studio | None = None, award: str = "",
                  benefit: str = "") -> InnovationResult:
    require_capability(actor, WRITE, org)
    if not title.strip() or not people.strip():
        raise ApplicationError(_("请填写成果名称和完成人。"), code="required",
                               extra={"field": "title"})
    if studio is not None and not studio.org_path.startswith(org.path):
        raise ApplicationError(_("所选工作室不属于本单位。"), code="studio",
                               extra={"field": "studio"})
    with transaction.atomic():
        row = InnovationResult.objects.create(org=org, org_path=org.path, studio=studio,
                                              title=title.strip()[:200], year=year,
                                              people=people.strip()[:300],
                                              award=award.strip()[:64],
                                              benefit=benefit.strip()[:200])
        audit_record(actor=actor, action="awards.result.create", obj=row, org_path=org.path,
                     after={"title": row.title, "year": year})
    return row
