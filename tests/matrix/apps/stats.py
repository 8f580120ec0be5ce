"""Route-matrix entries of stats: figures need stats.read (over the org asked for), the
employer registry org.read / employer.write over the employer's area."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gonghui.accounts.capabilities import Capability as C
from tests.matrix.routes import form, get, op
from tests.matrix.world import UNION, Obj, World, admin, builder

PAGES = {
    "stats:home": get(C.STATS_READ),
    "stats:employers": get(C.ORG_READ),
    "stats:employer_new": form(C.EMPLOYER_WRITE),
    "stats:employer_import": form(C.EMPLOYER_WRITE),
    "stats:employer": get(C.ORG_READ, "employer"),
    "stats:employer_edit": form(C.EMPLOYER_WRITE, "employer"),
    "stats:reports": form(C.STATS_READ),
    "stats:report": get(C.STATS_READ, "stats_report"),
    "stats:report_download": get(C.STATS_READ, "stats_report"),
}


def _org_query(obj: Obj | None) -> dict[str, Any]:
    assert obj is not None
    return {"org": obj.org, "year": 2026}


API = {
    "GET /stats/dashboard": op(C.STATS_READ),
    "GET /stats/employers": op(C.ORG_READ),
    "POST /stats/employers": op(C.EMPLOYER_WRITE),
    "GET /stats/employers/{employer_id}": op(C.ORG_READ, "employer"),
    "PUT /stats/employers/{employer_id}": op(C.EMPLOYER_WRITE, "employer"),
    "GET /stats/report": op(C.STATS_READ, "org", query=_org_query),
    "POST /stats/reports": op(C.STATS_READ),
    "GET /stats/reports/{job_id}": op(C.STATS_READ, "stats_report"),
}


@builder("employer")
def _employers(world: World) -> dict[str, Obj]:
    from gonghui.stats.services.employers import EmployerData, employer_create

    out = {}
    for s, name in (("A", "甲矩阵单位"), ("B", "乙矩阵单位")):
        area = world.orgs[UNION[s]]
        e = employer_create(data=EmployerData(name=name, area=area, employees_count=10),
                            actor=admin(world))
        out[s] = Obj(e.pk, UNION[s])
    return out


@builder("stats_report")
def _reports(world: World) -> dict[str, Obj]:
    from gonghui.stats.models import ReportJob
    from gonghui.stats.services.reports import report_path, report_run, report_start

    out = {}
    for s in ("A", "B"):
        org = world.orgs[UNION[s]]
        job = report_start(org=org, year=2026, actor=admin(world), enqueue=False)
        job = ReportJob.objects.select_related("org", "created_by").get(pk=job.pk)
        path: Path = report_path(job)
        report_run(job=job, out=path)
        out[s] = Obj(job.pk, UNION[s])
    return out
