"""The JSON API of stats (mounted at /api/v1/stats): the dashboard figures of a subtree, the
employer registry and the yearly report (figures as JSON, and the background job)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.core import clock
from gonghui.core.bounds import Year
from gonghui.core.errors import ApplicationError, NotFound
from gonghui.core.paging import Page, PageParams, paginate
from gonghui.core.payload import body_schema, parse_body
from gonghui.orgs import stats_selectors as org_stats
from gonghui.orgs.models import Employer, Org
from gonghui.stats import report as report_figures
from gonghui.stats import selectors
from gonghui.stats.models import ReportJob
from gonghui.stats.permissions import access_employer, access_stats_org
from gonghui.stats.services.employers import EmployerData, employer_create, employer_update
from gonghui.stats.services.reports import check_year, report_start

router = Router()


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items() if k != "org" or not isinstance(v, Org)}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


@router.get("/dashboard")
def dashboard(request: HttpRequest, org: str = ""):
    """Every panel of the dashboard for `org`'s subtree (default: the caller's first)."""
    require_capability(request.user, Capability.STATS_READ)
    target = access_stats_org(request.user, org) if org else _first_root(request.user)
    data = selectors.dashboard(target, viewer=request.user, today=clock.today())
    return {"org": {"code": target.code, "name": target.name}, **_jsonable(data)}


def _first_root(user: Any) -> Org:
    roots = selectors.stats_roots(user)
    if not roots:
        raise NotFound()
    return roots[0]


# --- employers -------------------------------------------------------------------------------

class EmployerOut(Schema):
    id: int
    name: str
    uscc: str
    industry: str
    address: str
    employees_count: int
    area: str
    union: str | None


class EmployerIn(Schema):
    name: str
    uscc: str = ""
    industry: str = ""
    address: str = ""
    employees_count: int = 0
    area: str
    union: str = ""


class EmployerFilter(Schema):
    q: str = ""
    industry: str = ""
    covered: str = ""
    org: str = ""


def _out(e: Employer) -> dict[str, Any]:
    return {"id": e.pk, "name": e.name, "uscc": e.uscc, "industry": e.industry,
            "address": e.address, "employees_count": e.employees_count, "area": e.area.code,
            "union": e.union.code if e.union else None}


def _data(payload: EmployerIn) -> EmployerData:
    area = Org.objects.filter(code=payload.area.strip().upper()).first()
    if area is None:
        raise ApplicationError(_("没有找到组织代码“{v}”。").format(v=payload.area),
                               extra={"field": "area"})
    union = None
    if payload.union.strip():
        union = Org.objects.filter(code=payload.union.strip().upper()).first()
        if union is None:
            raise ApplicationError(_("没有找到组织代码“{v}”。").format(v=payload.union),
                                   extra={"field": "union"})
    return EmployerData(name=payload.name, uscc=payload.uscc, industry=payload.industry,
                        address=payload.address, employees_count=payload.employees_count,
                        area=area, union=union)


@router.get("/employers", response=Page[EmployerOut])
def list_employers(request: HttpRequest, filters: Query[EmployerFilter],
                   paging: Query[PageParams]):
    require_capability(request.user, Capability.ORG_READ)
    within = None
    if filters.org:
        within = Org.objects.filter(code=filters.org).first()
        if within is None:
            raise NotFound()
        require_capability(request.user, Capability.ORG_READ, within)
    rows = org_stats.employer_list(viewer=request.user, q=filters.q, industry=filters.industry,
                                   covered=filters.covered, within=within)
    return paginate(request, rows, paging, item=_out)


@router.get("/employers/{employer_id}", response=EmployerOut)
def get_employer(request: HttpRequest, employer_id: int):
    return _out(access_employer(request.user, employer_id))


@router.post("/employers", response={201: EmployerOut}, openapi_extra=body_schema(EmployerIn))
def create_employer(request: HttpRequest):
    require_capability(request.user, Capability.EMPLOYER_WRITE, read=Capability.ORG_READ)
    payload = parse_body(request, EmployerIn)
    return Status(201, _out(employer_create(data=_data(payload), actor=request.user)))


@router.put("/employers/{employer_id}", response=EmployerOut,
            openapi_extra=body_schema(EmployerIn))
def update_employer(request: HttpRequest, employer_id: int):
    employer = access_employer(request.user, employer_id, write=True)
    payload = parse_body(request, EmployerIn)
    return _out(employer_update(employer=employer, data=_data(payload), actor=request.user))


# --- the yearly report -----------------------------------------------------------------------

class ReportIn(Schema):
    org: str
    year: Year


class ReportJobOut(Schema):
    id: int
    org: str
    year: int
    status: str
    percent: int
    checks_passed: bool | None
    error: str
    download: str | None


def _job(job: ReportJob) -> dict[str, Any]:
    return {"id": job.pk, "org": job.org.code, "year": job.year, "status": job.status,
            "percent": job.percent, "checks_passed": job.checks_passed, "error": job.error,
            "download": f"/stats/reports/{job.pk}/download/" if job.status == "done" else None}


@router.get("/report")
def report_json(request: HttpRequest, org: str, year: Year):
    """The yearly report's figures and checks as JSON (computed now, in the request)."""
    target = access_stats_org(request.user, org)
    check_year(year)
    data = report_figures.figures(org=target, year=year, viewer=request.user,
                                  today=clock.today())
    return {**data, "checks": report_figures.checks(data)}


@router.post("/reports", response={201: ReportJobOut}, openapi_extra=body_schema(ReportIn))
def start_report(request: HttpRequest):
    require_capability(request.user, Capability.STATS_READ)
    payload = parse_body(request, ReportIn)
    target = access_stats_org(request.user, payload.org)
    job = report_start(org=target, year=payload.year, actor=request.user)
    return Status(201, _job(job))


@router.get("/reports/{job_id}", response=ReportJobOut)
def get_report(request: HttpRequest, job_id: int):
    job = ReportJob.objects.select_related("org").filter(pk=job_id).first()
    if job is None:
        raise NotFound()
    require_capability(request.user, Capability.STATS_READ, job.org)
    return _job(job)
