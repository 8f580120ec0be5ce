"""Pages of stats: the dashboard of a subtree (ECharts, drill-down), the employer registry
(list, detail, new, edit, .xlsx import) and the yearly report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.errors import ApplicationError, NotFound
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import form_status, posted, run_service, uploaded
from gonghui.orgs import selectors as org_selectors
from gonghui.orgs import stats_selectors as org_stats
from gonghui.orgs.models import Org
from gonghui.stats import selectors
from gonghui.stats.forms import EmployerForm, ImportForm, ReportForm
from gonghui.stats.models import ReportJob, ReportStatus
from gonghui.stats.permissions import access_employer, access_stats_org
from gonghui.stats.selectors import report_list
from gonghui.stats.services.employers import (
    EmployerData,
    employer_create,
    employer_update,
    employers_import,
)
from gonghui.stats.services.reports import report_start


def chosen_org(request: HttpRequest) -> tuple[Org, list[Org]]:
    require_capability(request.user, Capability.STATS_READ)
    roots = selectors.stats_roots(request.user)
    code = request.GET.get("org", "").strip()
    if code:
        return access_stats_org(request.user, code), roots
    if not roots:
        raise NotFound()
    return roots[0], roots


@login_required
def home(request: HttpRequest) -> HttpResponse:
    org, roots = chosen_org(request)
    data = selectors.dashboard(org, viewer=request.user, today=clock.today())
    charts = {
        "trend": {"months": [r["month"].strftime("%Y-%m") for r in data["trend"]],
                  "joins": [r["joins"] for r in data["trend"]],
                  "exits": [r["exits"] for r in data["trend"]],
                  "active": [r["active"] for r in data["trend"]]},
        "gender": data["members"]["gender"], "education": data["members"]["education"],
        "employment_form": data["members"]["employment_form"],
        "age_band": data["members"]["age_band"],
        "groups": data["members"]["new_employment_group"],
        "children": {"names": [c["name"] for c in data["children"]],
                     "codes": [c["code"] if c["drill"] else "" for c in data["children"]],
                     "active": [c["active"] for c in data["children"]],
                     "coverage": [c["coverage_rate"] for c in data["children"]]},
    }
    ancestors = [a for a in org_selectors.org_ancestors(org) if has_capability(request.user,
                                                                  Capability.STATS_READ, a)]
    return render(request, "stats/dashboard.html", {
        "org": org, "roots": roots, "data": data, "charts": charts, "ancestors": ancestors,
        "tab": "dashboard", "year": clock.today().year,
        "can_write": has_capability(request.user, Capability.EMPLOYER_WRITE),
    })


@login_required
def employers(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.ORG_READ)
    within = None
    code = request.GET.get("org", "").strip()
    if code:
        within = Org.objects.filter(code=code).first()
        if within is None or not has_capability(request.user, Capability.ORG_READ, within):
            raise NotFound()
    q = request.GET.get("q", "").strip()[:100]
    industry = request.GET.get("industry", "").strip()
    covered = request.GET.get("covered", "")
    rows = org_stats.employer_list(viewer=request.user, q=q, industry=industry, covered=covered,
                                   within=within)
    return render(request, "stats/employers.html", {
        "page": paginate(request, rows), "qs": querystring_without_page(request), "q": q,
        "industry": industry, "covered": covered, "org_code": code, "within": within,
        "industries": org_stats.industries(org=within), "tab": "employers",
        "can_write": has_capability(request.user, Capability.EMPLOYER_WRITE),
    })


@login_required
def employer(request: HttpRequest, pk: int) -> HttpResponse:
    e = access_employer(request.user, pk)
    return render(request, "stats/employer.html", {
        "e": e, "tab": "employers",
        "can_write": has_capability(request.user, Capability.EMPLOYER_WRITE, e.area)})


def _data(form: EmployerForm) -> EmployerData:
    d = form.cleaned_data
    area = Org.objects.filter(code=d["area"].strip().upper()).first()
    if area is None:
        raise ApplicationError(_("没有找到组织代码“{v}”。").format(v=d["area"]),
                               extra={"field": "area"})
    union = None
    if d["union"].strip():
        union = Org.objects.filter(code=d["union"].strip().upper()).first()
        if union is None:
            raise ApplicationError(_("没有找到组织代码“{v}”。").format(v=d["union"]),
                                   extra={"field": "union"})
    return EmployerData(name=d["name"], uscc=d["uscc"], industry=d["industry"],
                        address=d["address"], employees_count=d["employees_count"], area=area,
                        union=union)


@login_required
def employer_new(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.EMPLOYER_WRITE, read=Capability.ORG_READ)
    form = EmployerForm(posted(request), initial={"area": request.GET.get("area", "")})
    outcome = None
    if form.is_valid():
        outcome = run_service(request, lambda: employer_create(data=_data(form),
                                                               actor=request.user),
                              form=form, success=_("用人单位已登记。"))
        if outcome.ok and outcome.value is not None:
            return redirect("stats:employer", outcome.value.pk)
    return render(request, "stats/employer_form.html", {"form": form, "tab": "employers"},
                  status=form_status(form, outcome))


@login_required
def employer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    e = access_employer(request.user, pk, write=True)
    initial = {"name": e.name, "uscc": e.uscc, "industry": e.industry, "address": e.address,
               "employees_count": e.employees_count, "area": e.area.code,
               "union": e.union.code if e.union else ""}
    form = EmployerForm(posted(request), initial=initial)
    outcome = None
    if form.is_valid():
        outcome = run_service(request, lambda: employer_update(employer=e, data=_data(form),
                                                               actor=request.user),
                              form=form, success=_("用人单位已保存。"))
        if outcome.ok:
            return redirect("stats:employer", e.pk)
    return render(request, "stats/employer_form.html", {"form": form, "e": e, "tab": "employers"},
                  status=form_status(form, outcome))


@login_required
def employer_import(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.EMPLOYER_WRITE, read=Capability.ORG_READ)
    form = ImportForm(posted(request), uploaded(request))
    outcome = None
    report = None
    if form.is_valid():
        outcome = run_service(request, lambda: employers_import(
            upload=form.cleaned_data["upload"], actor=request.user), form=form)
        report = outcome.value
    return render(request, "stats/employer_import.html",
                  {"form": form, "report": report, "tab": "employers"},
                  status=form_status(form, outcome))




# --- the yearly report -----------------------------------------------------------------------

def access_report(user: Any, pk: int) -> ReportJob:
    job = ReportJob.objects.select_related("org").filter(pk=pk).first()
    if job is None:
        raise NotFound()
    require_capability(user, Capability.STATS_READ, job.org)
    return job


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    """The report jobs of the user's subtrees, and the form that starts one."""
    require_capability(request.user, Capability.STATS_READ)
    roots = selectors.stats_roots(request.user)
    data = posted(request)
    form = ReportForm(data, initial={"org": roots[0].code if roots else "",
                                     "year": clock.today().year - 1})
    outcome = None
    if form.is_valid():
        org = access_stats_org(request.user, form.cleaned_data["org"])
        outcome = run_service(request, lambda: report_start(
            org=org, year=form.cleaned_data["year"], actor=request.user), form=form,
            success=_("年报已开始生成。"))
        if outcome.ok and outcome.value is not None:
            return redirect("stats:report", outcome.value.pk)
    jobs = report_list(viewer=request.user)
    return render(request, "stats/reports.html", {
        "form": form, "page": paginate(request, jobs), "qs": querystring_without_page(request),
        "roots": roots, "tab": "reports"}, status=form_status(form, outcome))


@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    job = access_report(request.user, pk)
    return render(request, "stats/report.html", {"job": job, "tab": "reports"})


@login_required
def report_download(request: HttpRequest, pk: int) -> FileResponse:
    job = access_report(request.user, pk)
    if job.status != ReportStatus.DONE or not job.file_path or not Path(job.file_path).exists():
        raise NotFound()
    audit_record(actor=request.user, action="stats.report_download", obj=job,
                 org_path=job.org_path)
    return FileResponse(open(job.file_path, "rb"), as_attachment=True,
                        filename=f"{job.org.code}-{job.year}-工会统计年报.xlsx")
