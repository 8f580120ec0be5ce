from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gonghui.accounts.scoping import scope
from gonghui.core.errors import ApplicationError
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.mutualaid import selectors
from gonghui.mutualaid.forms import UploadForm
from gonghui.mutualaid.models import ImportStatus, RecordStatus
from gonghui.mutualaid.permissions import access_import, access_union
from gonghui.mutualaid.services.jobs import settlement_upload
from gonghui.orgs.models import Org


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    page = paginate(request, selectors.import_list(viewer=request.user, status=status))
    orgs = list(scope(Org.objects.filter(status="active"), request.user, "mutualaid.write")
                .order_by("path")[:200])
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        org = access_union(request.user, request.POST.get("org", ""), write=True)
        try:
            source = settlement_upload(org=org, upload=form.cleaned_data["file"],
                                       actor=request.user)
        except ApplicationError as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(request, _("文件已上传，正在后台导入。"))
            return redirect("mutualaid:import", source.pk)
    return render(request, "mutualaid/imports.html", {
        "page": page, "form": form, "orgs": orgs, "status": status,
        "statuses": ImportStatus.choices, "qs": querystring_without_page(request)})


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    source = access_import(request.user, pk)
    status, q = request.GET.get("status", ""), request.GET.get("q", "")
    records = paginate(request, selectors.import_records(source, status=status, q=q))
    context = {"source": source, "records": records, "status": status, "q": q,
               "statuses": RecordStatus.choices, "qs": querystring_without_page(request),
               "issues": source.issues.all()[:200], "outcome": selectors.import_outcome(source)}
    return render(request, "mutualaid/import_detail.html", context)


@login_required
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the progress card, polled while the import runs."""
    source = access_import(request.user, pk)
    return render(request, "mutualaid/_import_progress.html", {
        "source": source, "outcome": selectors.import_outcome(source)})
