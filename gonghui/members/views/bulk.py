"""Bulk decisions on the cadre's queues (ticked rows, or every row of the filtered list), the
job's progress page, and the overdue cases listed for the level above."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.core import clock
from gonghui.core.errors import NotFound
from gonghui.core.views import run_service
from gonghui.members import decision_selectors
from gonghui.members.models import BulkKind, BulkStatus
from gonghui.members.services import bulk
from gonghui.orgs.permissions import access_org

_BACK: dict[str, str] = {BulkKind.APPLICATION.value: "members:applications",
                         BulkKind.TRANSFER.value: "members:transfers"}


def _ids(request: HttpRequest, kind: str) -> list[int]:
    """The ticked ids, or with `all=1` every id of the filtered list (the list's own filters,
    sent along as `f_status`, `f_q`, `f_org`)."""
    if request.POST.get("all") == "1":
        params = {"status": request.POST.get("f_status", ""), "q": request.POST.get("f_q", "")}
        within = None
        code = request.POST.get("f_org", "").strip().upper()
        if code:  # the list's org filter, by code (404 outside the viewer's subtrees)
            within = access_org(request.user, code)
            require_capability(request.user, Capability.MEMBER_READ, within)
        return decision_selectors.filtered_ids(viewer=request.user, kind=kind,
                                               params={**params, "within": within},
                                               limit=bulk.MAX_ROWS + 1)
    out = []
    for value in request.POST.getlist("ids"):
        try:
            out.append(int(value))
        except ValueError:
            continue
    return out


@login_required
@require_POST
def bulk_start(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.MEMBER_WRITE)
    kind = request.POST.get("kind", "")
    action = request.POST.get("action", "")
    if kind not in BulkKind.values or action not in ("approve", "decline"):
        return render(request, "members/bulk_job.html", {"job": None, "error": _(
            "请选择批量操作。")}, status=400)
    ids = _ids(request, kind)
    outcome = run_service(request, lambda: bulk.bulk_decision_start(
        kind=kind, action=action, ids=ids, actor=request.user,
        reason=request.POST.get("reason", "")[:500]))
    if not outcome.ok or outcome.value is None:
        return render(request, "members/bulk_job.html", {"job": None, "back": _BACK[kind]},
                      status=outcome.status)
    job = outcome.value
    if job.total <= bulk.INLINE_LIMIT:
        job = bulk.bulk_job_run(job=job, actor=request.user)
        messages.success(request, _("批量处理完成：成功 {ok} 项，失败 {failed} 项。").format(
            ok=job.succeeded, failed=job.failed))
    return redirect("members:bulk_job", job.pk)


@login_required
def bulk_job(request: HttpRequest, pk: int) -> HttpResponse:
    """A cadre's own job (404 for anyone else's: it names the rows they chose)."""
    job = decision_selectors.bulk_jobs(viewer=request.user).filter(pk=pk).first()
    if job is None:
        raise NotFound()
    running = job.status in (BulkStatus.QUEUED, BulkStatus.RUNNING)
    template = "members/_bulk_progress.html" if request.headers.get("HX-Request") \
        else "members/bulk_job.html"
    return render(request, template, {"job": job, "running": running,
                                      "back": _BACK.get(job.kind, "members:applications")})


@login_required
def overdue(request: HttpRequest) -> HttpResponse:
    """Applications and incoming transfers past their deadline in the unions below the
    viewer's own orgs (the level above watches the deadline)."""
    require_capability(request.user, Capability.MEMBER_READ)
    today = clock.today()
    return render(request, "members/overdue.html", {
        "applications": decision_selectors.overdue_applications(viewer=request.user,
                                                                today=today)[:500],
        "transfers": decision_selectors.overdue_transfers(viewer=request.user,
                                                          today=today)[:500],
        "today": today,
    })
