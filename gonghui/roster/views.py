"""Roster pages: upload → preview (column mapping) → progress → summary and error report;
the template; exports in the background. Views parse, reach objects through
`permissions`, call the services through `core.views.run_service`; a refused action shows its
page again with 400 (409 for a conflict) and the reason."""

from __future__ import annotations

import tempfile
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_any_capability, require_capability
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import run_service
from gonghui.orgs.models import Org
from gonghui.orgs.picker import PickError, candidates, resolve_org
from gonghui.roster import importer, permissions, reasons, selectors, services
from gonghui.roster.columns import FIELD_LABELS
from gonghui.roster.forms import ExportForm, ReportForm, UploadForm
from gonghui.roster.models import ImportJob, ImportStatus
from gonghui.roster.report import write_template


def _home(request: HttpRequest, *, status: int = 200, upload_form: UploadForm | None = None,
          export_form: ExportForm | None = None) -> HttpResponse:
    params = {k: request.GET.get(k, "").strip() for k in ("q", "status", "org")}
    can_import = has_capability(request.user, Capability.MEMBER_WRITE)
    jobs = selectors.import_jobs(viewer=request.user, q=params["q"], status=params["status"],
                                 org_code=params["org"]) if can_import else None
    # The import target is pre-filled only where there is one union to import into (issue 12
    # item 10: never with a district that cannot hold members); the export scope with the
    # viewer's top org.
    targets = list(candidates(viewer=request.user, purpose="member_write").order_by("path")[:2])
    initial = {"union": targets[0].code} if len(targets) == 1 else {}
    top = selectors.target_unions(viewer=request.user, cap=Capability.MEMBER_READ, limit=1)
    export_initial = {"union": top[0].code} if top else {}
    return render(request, "roster/home.html", {
        "page": paginate(request, jobs) if jobs is not None else None,
        "params": params, "statuses": ImportStatus.choices,
        "qs": querystring_without_page(request), "can_import": can_import,
        "upload_form": upload_form or UploadForm(initial=initial),
        "export_form": export_form or ExportForm(initial=export_initial),
        "exports": selectors.export_jobs(viewer=request.user, limit=10),
        "can_reveal": has_capability(request.user, Capability.MEMBER_REVEAL),
    }, status=status)


def _chosen_union(request: HttpRequest, text: str, *, purpose: str,
                  cap: Capability) -> Org | None:
    """The union picked in the org picker (a code) or typed by name: an existing code or id
    goes through `access_union` (404 outside the viewer's subtrees); a name that matches no
    union of the purpose, or several, is a message (None)."""
    text = text.strip()
    if text.isdigit() or Org.objects.filter(code=text.upper()).exists():
        return permissions.access_union(request.user, text, cap=cap)
    try:
        return resolve_org(viewer=request.user, text=text, purpose=purpose)
    except PickError as exc:
        messages.error(request, exc.message)
        return None


def _flash_errors(request: HttpRequest, form: Any) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    require_any_capability(request.user, Capability.MEMBER_WRITE, Capability.MEMBER_READ)
    return _home(request)


@login_required
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.MEMBER_WRITE)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        _flash_errors(request, form)
        return _home(request, status=400, upload_form=form)
    org = _chosen_union(request, form.cleaned_data["union"], purpose="member_write",
                        cap=Capability.MEMBER_WRITE)
    if org is None:
        return _home(request, status=400, upload_form=form)
    upload_file = form.cleaned_data["file"]
    outcome = run_service(request, lambda: services.import_job_create(
        org=org, actor=request.user, name=upload_file.name, upload=upload_file))
    if not outcome.ok or outcome.value is None:
        return _home(request, status=outcome.status, upload_form=form)
    return redirect("roster:preview", outcome.value.pk)


def _mapping_from_post(request: HttpRequest, width: int) -> dict[int, str]:
    return {i: request.POST.get(f"col_{i}", "") for i in range(width)}


def _preview_action(request: HttpRequest, job: ImportJob) -> HttpResponse | None:
    """The preview form's buttons: cancel, save the mapping, start (or dry-run). None when
    the page is to be shown again."""
    action = request.POST.get("action", "")
    if action == "cancel":
        outcome = run_service(request, lambda: services.import_job_cancel(
            job=job, actor=request.user))
        if outcome.ok:
            messages.info(request, _("已取消导入。"))
            return redirect("roster:home")
        return None
    width = len((job.mapping or {}).get("headers", []))
    outcome = run_service(request, lambda: services.import_job_set_mapping(
        job=job, actor=request.user, columns=_mapping_from_post(request, width)))
    if not outcome.ok:
        return None
    if action in ("start", "dry_run"):
        started = run_service(request, lambda: services.import_job_start(
            job=job, actor=request.user, dry_run=action == "dry_run"))
        return redirect("roster:job", job.pk) if started.ok else None
    messages.success(request, _("列对应关系已保存。"))
    return redirect("roster:preview", job.pk)


@login_required
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    job = permissions.access_import_job(request.user, pk, write=request.method == "POST")
    if job.status != ImportStatus.UPLOADED:
        return redirect("roster:job", job.pk)
    status = 200
    if request.method == "POST":
        response = _preview_action(request, job)
        if response is not None:
            return response
        status = 400
        job.refresh_from_db()
    outcome = run_service(request, lambda: services.import_preview(job))
    if not outcome.ok or outcome.value is None:
        return _home(request, status=outcome.status)
    result = outcome.value
    return render(request, "roster/preview.html", {
        "job": job, "preview": result, "columns": result.mapping.describe(),
        "fields": sorted(FIELD_LABELS.items(), key=lambda kv: list(FIELD_LABELS).index(kv[0])),
    }, status=status)


def _job_page(request: HttpRequest, job: ImportJob, *, status: int = 200) -> HttpResponse:
    rejections = job.rejections.order_by("row_number")
    q = request.GET.get("q", "").strip()
    if q:
        rejections = rejections.filter(reason__icontains=q)
    column = request.GET.get("column", "").strip()
    if column:
        rejections = rejections.filter(columns__icontains=column)
    page = paginate(request, rejections)
    page.object_list = reasons.in_reader_language(job, page.object_list)
    return render(request, "roster/job.html", {
        "job": job, "page": page,
        "qs": querystring_without_page(request), "params": {"q": q, "column": column},
        "headers": (job.mapping or {}).get("headers", []),
        "may_download": permissions.may_download_report(request.user, job),
        "own_report": job.created_by_id == getattr(request.user, "pk", None),
        "report_form": ReportForm(),
        # failed, or "running" with its process gone (a worker killed mid-way)
        "resumable": job.status == ImportStatus.FAILED
        or (job.status == ImportStatus.RUNNING and importer.claimable(job)),
        "can_write": permissions.may_write(request.user, job),
    }, status=status)


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _job_page(request, permissions.access_import_job(request.user, pk))


@login_required
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the progress panel, polled while the job runs."""
    job = permissions.access_import_job(request.user, pk)
    response = render(request, "roster/_progress.html", {"job": job})
    if not job.is_active:
        response["HX-Refresh"] = "true"  # the finished page has the summary and the rows
    return response


@login_required
@require_POST
def job_resume(request: HttpRequest, pk: int) -> HttpResponse:
    job = permissions.access_import_job(request.user, pk, write=True)
    outcome = run_service(request, lambda: services.import_job_start(job=job, actor=request.user))
    if not outcome.ok:
        job.refresh_from_db()
        return _job_page(request, job, status=outcome.status)
    return redirect("roster:job", job.pk)


@login_required
@require_POST
def job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    job = permissions.access_import_job(request.user, pk, write=True)
    outcome = run_service(request, lambda: services.import_job_cancel(job=job, actor=request.user))
    if not outcome.ok:
        job.refresh_from_db()
        return _job_page(request, job, status=outcome.status)
    return redirect("roster:job", job.pk)


@login_required
def job_report(request: HttpRequest, pk: int) -> FileResponse:
    """The error report; someone else's says why they read it (`purpose`, logged)."""
    job = permissions.access_import_job(request.user, pk)
    form = ReportForm(request.GET)
    purpose = form.cleaned_data["purpose"] if form.is_valid() else ""
    handle = services.import_report_open(job=job, actor=request.user, purpose=purpose)
    return FileResponse(handle, as_attachment=True,
                        filename=f"导入错误报告-{job.pk}.xlsx")


@login_required
def template(request: HttpRequest) -> FileResponse:
    require_capability(request.user, Capability.MEMBER_WRITE)
    bulk = request.GET.get("bulk") == "1"
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 — streamed, then gone
    write_template(handle.name, bulk=bulk)
    handle.seek(0)
    name = _("会员名册导入模板（批量）.xlsx") if bulk else _("会员名册导入模板.xlsx")
    return FileResponse(handle, as_attachment=True, filename=name)


@login_required
@require_POST
def export_create(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.MEMBER_READ)
    form = ExportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请检查导出设置。"))
        return _home(request, status=400, export_form=form)
    org = _chosen_union(request, form.cleaned_data["union"], purpose="members",
                        cap=Capability.MEMBER_READ)
    if org is None:
        return _home(request, status=400, export_form=form)
    outcome = run_service(request, lambda: services.export_job_create(
        org=org, actor=request.user, file_format=form.cleaned_data["file_format"],
        reveal=form.cleaned_data["reveal"], include_ended=form.cleaned_data["include_ended"],
        purpose=form.cleaned_data["purpose"]))
    if not outcome.ok or outcome.value is None:
        return _home(request, status=outcome.status, export_form=form)
    return redirect("roster:export", outcome.value.pk)


@login_required
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = permissions.access_export_job(request.user, pk)
    template_name = "roster/_export_progress.html" if request.headers.get("HX-Request") \
        else "roster/export.html"
    return render(request, template_name, {"job": job})


@login_required
def export_download(request: HttpRequest, pk: int) -> FileResponse:
    job = permissions.access_export_job(request.user, pk)
    handle = services.export_open(job=job, actor=request.user)
    return FileResponse(handle, as_attachment=True, filename=job.download_name)
