"""Importing a table of local 低保 standards: every row is created, updated, unchanged, or
reported with its row number, column and reason. A re-run of the same file changes nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO

from django.db.models import Q
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.aid.importers import RowError, parse_rows, read_table
from gonghui.aid.services.standards import standard_save
from gonghui.core.actor import Actor
from gonghui.core.errors import ApplicationError
from gonghui.orgs.models import Level, Org, OrgStatus

REGION_LEVELS = (Level.NATIONAL, Level.PROVINCE, Level.CITY, Level.DISTRICT)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + len({e.line_no for e in self.errors})


def resolve_region(text: str) -> Org:
    """An org code, or the name / short name / region of a city- or district-level union."""
    value = text.strip()
    org = Org.objects.filter(code=value.upper(), status=OrgStatus.ACTIVE).first()
    if org is not None:
        return org
    matches = list(Org.objects.filter(status=OrgStatus.ACTIVE, level__in=REGION_LEVELS).filter(
        Q(name=value) | Q(short_name=value) | Q(region=value))[:3])
    if len(matches) > 1:
        # a city federation and its own region share a name: prefer the highest level
        top = min(matches, key=lambda o: o.depth)
        if sum(1 for m in matches if m.depth == top.depth) == 1:
            return top
        raise ApplicationError(_("地区“{v}”对应多个组织，请改用组织代码。").format(v=value))
    if not matches:
        raise ApplicationError(_("没有找到地区“{v}”（可填组织代码、工会名称或区县名）。").format(v=value))
    return matches[0]


def standards_import(*, upload: IO[bytes], filename: str, actor: Actor) -> ImportReport:
    """Every row through `standard_save` (which checks policy.write over the row's region)."""
    require_capability(actor, Capability.POLICY_WRITE, read=Capability.AID_READ)
    try:
        table = read_table(upload, filename)
    except ValueError as exc:
        raise ApplicationError(str(exc), code="unreadable", extra={"field": "upload"}) from exc
    parsed = parse_rows(table)
    report = ImportReport(errors=list(parsed.errors))
    for row in parsed.rows:
        try:
            org = resolve_region(row.region)
            if not has_capability(actor, Capability.POLICY_WRITE, org):
                raise ApplicationError(_("您无权维护“{v}”的低保标准。").format(v=row.region))
            _standard, outcome = standard_save(
                org=org, year=row.year, monthly_line=row.monthly_line, actor=actor,
                effective_from=row.effective_from, source=row.source,
            )
        except ApplicationError as exc:
            report.errors.append(RowError(row.line_no, _("地区"), exc.message))
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)
    report.errors.sort(key=lambda e: e.line_no)
    return report
