"""Roster pages: upload → preview (column mapping) → progress → summary and error report;
the template; exports in the background. Views parse, check access, call services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.scoping import can, capabilities_anywhere
from gonghui.core.errors import ApplicationError, NotFound
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.roster import importer, permissions, selectors, services
from gonghui.roster.columns import FIELD_LABELS
from gonghui.roster.forms import ExportForm, UploadForm
from gonghui.roster.models import ImportStatus
from gonghui.roster.report import write_template


def _require_any(request: HttpRequest, *caps: str) -> None:
    if not set(caps) & capabilities_anywhere(request.user):
        raise NotFound()


@login_required
def home(request: HttpRequest) -> HttpResponse:
    _require_any(request, "member.write", "member.read")
    params = {k: request.GET.get(k, "").strip() for k in ("q", "status", "org")}
    can_import = "member.write" in capabilities_anywhere(request.user)
    jobs = selectors.import_jobs(viewer=request.user, q=params["q"], status=params["status"],
                                 org_code=params["org"]) if can_import else None
    default_union = selectors.target_unions(viewer=request.user, limit=1)
    initial = {"union": default_union[0].code} if default_union else {}
    return render(request, "roster/home.html", {
        "page": paginate(request, jobs) if jobs is not None else None,
        "params": params, "statuses": ImportStatus.choices,
        "qs": querystring_without_page(request), "can_import": can_import,
        "upload_form": UploadForm(initial=initial), "export_form": ExportForm(initial=initial),
        "unions": selectors.target_unions(viewer=request.user, cap="member.read"),
        "exports": selectors.export_jobs(viewer=request.user)[:10],
        "can_reveal": "member.reveal" in capabilities_anywhere(request.user),
    })


@login_required
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("roster:home")
    org = permissions.access_union(request.user, form.cleaned_data["union"])
    upload_file = form.cleaned_data["file"]
    try:
        job = services.import_job_create(org=org, actor=request.user, name=upload_file.name,
                                         upload=upload_file)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("roster:home")
    return redirect("roster:preview", job.pk)


def _mapping_from_post(request: HttpRequest, width: int) -> dict[int, str]:
    return {i: request.POST.get(f"col_{i}", "") for i in range(width)}


@login_required
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    job = permissions.access_import_job(request.user, pk, write=request.method == "POST")
    if job.status != ImportStatus.UPLOADED:
        return redirect("roster:job", job.pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "cancel":
                services.import_job_cancel(job=job, actor=request.user)
                messages.info(request, _("已取消导入。"))
                return redirect("roster:home")
            width = len((job.mapping or {}).get("headers", []))
            job = services.import_job_set_mapping(job=job, actor=request.user,
                                                  columns=_mapping_from_post(request, width))
            if action in ("start", "dry_run"):
                services.import_job_start(job=job, actor=request.user,
                                          dry_run=action == "dry_run")
                return redirect("roster:job", job.pk)
            messages.success(request, _("列对应关系已保存。"))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("roster:preview", job.pk)
    try:
        result = services.import_preview(job)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("roster:home")
    return render(request, "roster/preview.html", {
        "job": job, "preview": result, "columns": result.mapping.describe(),
        "fields": sorted(FIELD_LABELS.items(), key=lambda kv: list(FIELD_LABELS).index(kv[0])),
    })


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = permissions.access_import_job(request.user, pk)
    rejections = job.rejections.order_by("row_number")
    q = request.GET.get("q", "").strip()
    if q:
        rejections = rejections.filter(reason__icontains=q)
    column = request.GET.get("column", "").strip()
    if column:
        rejections = rejections.filter(columns__icontains=column)
    return render(request, "roster/job.html", {
        "job": job, "page": paginate(request, rejections),
        "qs": querystring_without_page(request), "params": {"q": q, "column": column},
        "headers": (job.mapping or {}).get("headers", []),
        "may_download": permissions.may_download_report(request.user, job),
        # failed, or "running" with its process gone (a worker killed mid-way)
        "resumable": job.status == ImportStatus.FAILED
        or (job.status == ImportStatus.RUNNING and importer.claimable(job)),
        "can_write": can(request.user, job.org, "member.write"),
    })


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
    try:
        services.import_job_start(job=job, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("roster:job", job.pk)


@login_required
@require_POST
def job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    job = permissions.access_import_job(request.user, pk, write=True)
    try:
        services.import_job_cancel(job=job, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("roster:job", job.pk)


@login_required
def job_report(request: HttpRequest, pk: int) -> FileResponse:
    job = permissions.access_import_job(request.user, pk)
    handle = services.import_report_open(job=job, actor=request.user)
    return FileResponse(handle, as_attachment=True,
                        filename=f"导入错误报告-{job.pk}.xlsx")


@login_required
def template(request: HttpRequest) -> FileResponse:
    _require_any(request, "member.write")
    import tempfile

    bulk = request.GET.get("bulk") == "1"
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 — streamed, then gone
    write_template(handle.name, bulk=bulk)
    handle.seek(0)
    name = _("会员名册导入模板（批量）.xlsx") if bulk else _("会员名册导入模板.xlsx")
    return FileResponse(handle, as_attachment=True, filename=name)


@login_required
@require_POST
def export_create(request: HttpRequest) -> HttpResponse:
    form = ExportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请检查导出设置。"))
        return redirect("roster:home")
    org = permissions.access_union(request.user, form.cleaned_data["union"], cap="member.read")
    try:
        job = services.export_job_create(
            org=org, actor=request.user, file_format=form.cleaned_data["file_format"],
            reveal=form.cleaned_data["reveal"],
            include_ended=form.cleaned_data["include_ended"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("roster:home")
    return redirect("roster:export", job.pk)


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
