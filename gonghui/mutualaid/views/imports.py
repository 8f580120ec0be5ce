"""Settlement files: upload one (imported and paid in the background), follow its progress."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import form_status, run_service
from gonghui.mutualaid import selectors, tasks
from gonghui.mutualaid.forms import SettlementUploadForm
from gonghui.mutualaid.models import ImportStatus, RecordStatus
from gonghui.mutualaid.permissions import access_import, access_union

ISSUES_SHOWN = 200  # the page says how many there are in all


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.MUTUALAID_READ)
    status = request.GET.get("status", "")
    page = paginate(request, selectors.import_list(viewer=request.user, status=status))
    orgs = selectors.orgs_with(viewer=request.user, cap=Capability.MUTUALAID_WRITE)
    posted = request.method == "POST"
    form = SettlementUploadForm(request.POST if posted else None,
                                request.FILES if posted else None)
    outcome = None
    if request.method == "POST":
        require_capability(request.user, Capability.MUTUALAID_WRITE)
        if form.is_valid():
            org = access_union(request.user, form.cleaned_data["org"])
            outcome = run_service(request, lambda: tasks.settlement_upload(
                org=org, upload=form.cleaned_data["file"], actor=request.user), form=form,
                success=_("文件已上传，正在后台导入。"))
            if outcome.ok and outcome.value is not None:
                return redirect("mutualaid:import", outcome.value.pk)
    return render(request, "mutualaid/imports.html", {
        "page": page, "form": form, "orgs": orgs, "status": status,
        "statuses": ImportStatus.choices, "qs": querystring_without_page(request)},
        status=form_status(form, outcome))


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    source = access_import(request.user, pk)
    status, q = request.GET.get("status", ""), request.GET.get("q", "")
    records = paginate(request, selectors.import_records(source, status=status, q=q))
    context = {"source": source, "records": records, "status": status, "q": q,
               "statuses": RecordStatus.choices, "qs": querystring_without_page(request),
               "issues": list(source.issues.all()[:ISSUES_SHOWN]),
               "issues_count": source.issues.count(),
               "outcome": selectors.import_outcome(source)}
    return render(request, "mutualaid/import_detail.html", context)


@login_required
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the progress card, polled while the import runs."""
    source = access_import(request.user, pk)
    response = render(request, "mutualaid/_import_progress.html", {
        "source": source, "outcome": selectors.import_outcome(source)})
    running = (ImportStatus.QUEUED, ImportStatus.RUNNING)
    if request.GET.get("was") in running and source.status not in running:
        # the import has just finished: reload the page once, so its refused rows and records
        # show without the cadre reloading it (issue 12 item 6)
        response["HX-Refresh"] = "true"
    return response
