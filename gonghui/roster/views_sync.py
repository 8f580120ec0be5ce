"""Pages of roster sync (名册同步, issue 20): after a union's complete roster was imported, list
the members holding 会籍 that the file did not contain, and decide them — one by one or the
ticked ones together, always with a reason, each through the members service of that change
(`roster.sync`). The sync itself changes no membership."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import run_service
from gonghui.members.models import SyncDecision
from gonghui.roster import permissions, sync
from gonghui.roster.models import ImportJob


@login_required
@require_POST
def sync_detect(request: HttpRequest, pk: int) -> HttpResponse:
    job = permissions.access_import_job(request.user, pk, write=True)
    outcome = run_service(request, lambda: sync.sync_detect(job=job, actor=request.user))
    if not outcome.ok:
        return render(request, "roster/sync.html", _context(request, job),
                      status=outcome.status)
    messages.success(request, _("比对完成：名册中缺少 {n} 名在册会员，请逐一核实。").format(
        n=outcome.value))
    return redirect("roster:sync", job.pk)


def _context(request: HttpRequest, job: ImportJob) -> dict[str, object]:
    status = request.GET.get("status", SyncDecision.OPEN)
    if status not in SyncDecision.values and status != "all":
        status = SyncDecision.OPEN
    rows = sync.sync_candidates(viewer=request.user, job_id=job.pk,
                                status="" if status == "all" else status)
    return {"job": job, "page": paginate(request, rows, per_page=50), "status": status,
            "statuses": SyncDecision.choices, "qs": querystring_without_page(request),
            "decisions": [(v, label) for v, label in SyncDecision.choices
                          if v not in (SyncDecision.OPEN, SyncDecision.TRANSFER)],
            "can_write": permissions.may_write(request.user, job)}


@login_required
def sync_page(request: HttpRequest, pk: int) -> HttpResponse:
    job = permissions.access_import_job(request.user, pk)
    if request.method == "POST":
        job = permissions.access_import_job(request.user, pk, write=True)
        ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
        decision = request.POST.get("decision", "")
        reason = request.POST.get("reason", "")
        if not ids:
            messages.error(request, _("请先勾选要处理的会员。"))
            return render(request, "roster/sync.html", _context(request, job), status=400)
        if not reason.strip():
            messages.error(request, _("请填写核实情况或原因。"))
            return render(request, "roster/sync.html", _context(request, job), status=400)
        done, failures = sync.sync_decide_many(ids=ids, decision=decision, actor=request.user,
                                               reason=reason)
        if done:
            messages.success(request, _("已处理 {n} 名。").format(n=done))
        for failure in failures[:20]:
            messages.error(request, _("第 {id} 条未处理：{message}").format(
                id=failure["id"], message=failure["message"]))
        if failures and not done:
            return render(request, "roster/sync.html", _context(request, job), status=400)
        return redirect("roster:sync", job.pk)
    return render(request, "roster/sync.html", _context(request, job))
