"""Practical projects (实项目): a federation's yearly target split by district."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.audit.services import audit_record
from gonghui.core.actor import Actor
from gonghui.core.errors import ApplicationError
from gonghui.orgs.models import Level, Org
from gonghui.outreach.models import Project, ProjectMetric, ProjectTarget, StationKind

WRITE = Capability.OUTREACH_WRITE


@transaction.atomic
def project_create(*, org: Org, year: int, title: str, kind: str, metric: str,
                   targets: dict[str, int], actor: Actor) -> Project:
    """`targets`: district org code → target count; each district must lie in `org`'s
    subtree."""
    require_capability(actor, WRITE, org)
    if org.level not in (Level.NATIONAL, Level.PROVINCE, Level.CITY):
        raise ApplicationError(_("实项目由市及以上总工会下达。"))
    if not title.strip():
        raise ApplicationError(_("请填写项目名称。"), extra={"field": "title"})
    if kind not in StationKind.values or metric not in ProjectMetric.values:
        raise ApplicationError(_("站点类型或计算口径不正确。"), extra={"field": "kind"})
    if not targets:
        raise ApplicationError(_("请至少为一个区设置目标数。"), extra={"field": "targets"})
    project = Project.objects.create(org=org, org_path=org.path, year=year, title=title.strip(),
                                     kind=kind, metric=metric)
    districts = {o.code: o for o in Org.objects.filter(code__in=list(targets),
                                                       path__startswith=org.path,
                                                       level=Level.DISTRICT)}
    for code, target in targets.items():
        district = districts.get(code)
        if district is None:
            raise ApplicationError(_("{code} 不是本工会下属的区。").format(code=code),
                                   extra={"field": "targets"})
        if target < 1:
            raise ApplicationError(_("目标数至少为 1（{code}）。").format(code=code),
                                   extra={"field": "targets"})
        ProjectTarget.objects.create(project=project, district=district, target=target)
    audit_record(actor=actor, action="outreach.project.create", obj=project, org_path=org.path,
                 after={"targets": targets, "kind": kind, "metric": metric})
    return project
