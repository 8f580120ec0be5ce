"""Bank batches: make one, send its file to the bank, apply the bank's answer, withdraw it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import form_status, run_service
from gonghui.mutualaid import selectors, services, tasks
from gonghui.mutualaid.forms import BatchForm, ReasonForm, UploadForm
from gonghui.mutualaid.models import BatchStatus, PayoutBatch, Plan
from gonghui.mutualaid.permissions import access_batch, access_union


def _created(batch: PayoutBatch) -> str:
    text = _("已生成批次 {code}：{n} 笔，{total} 元。").format(
        code=batch.code, n=batch.items_count, total=batch.total)
    if batch.without_account:
        text += _("另有 {n} 笔因未登记收款账户暂未编入，请按页面上的提示登记收款账户。").format(
            n=batch.without_account)
    return text


@login_required
def batch_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.MUTUALAID_READ)
    status = request.GET.get("status", "")
    payers = selectors.payer_orgs(viewer=request.user)
    plans = Plan.objects.filter(org__in=payers).order_by("code")
    form = BatchForm(request.POST if request.method == "POST" else None, plans=plans)
    outcome = None
    if request.method == "POST":
        require_capability(request.user, Capability.MUTUALAID_WRITE)
        if form.is_valid():
            org = access_union(request.user, form.cleaned_data["org"])
            chosen = form.cleaned_data["plan"]
            plan = plans.filter(pk=chosen).first() if chosen else None
            outcome = run_service(request, lambda: services.batch_create(
                org=org, actor=request.user, plan=plan, note=form.cleaned_data["note"]),
                form=form)
            if outcome.ok and outcome.value is not None:
                messages.success(request, _created(outcome.value))
                return redirect("mutualaid:batch", outcome.value.pk)
    return render(request, "mutualaid/batches.html", {
        "page": paginate(request, selectors.batch_list(viewer=request.user, status=status)),
        "form": form, "payers": payers, "status": status, "statuses": BatchStatus.choices,
        "qs": querystring_without_page(request),
        "waiting_for_account": selectors.waiting_for_account(viewer=request.user)},
        status=form_status(form, outcome))


def _detail(request: HttpRequest, batch: PayoutBatch, *, status: int = 200,
            **extra: object) -> HttpResponse:
    items = batch.items.select_related("payout", "payout__plan").order_by("id")
    result = request.GET.get("result", "")
    if result:
        items = items.filter(result=result)
    context = {
        "batch": batch, "page": paginate(request, items), "result": result,
        "history": selectors.batch_history(batch),
        "can_write": has_capability(request.user, Capability.MUTUALAID_WRITE, batch.org),
        "upload_form": UploadForm(), "cancel_form": ReasonForm(),
        "qs": querystring_without_page(request),
        "waiting_for_account": selectors.waiting_for_account(viewer=request.user)}
    context.update(extra)
    return render(request, "mutualaid/batch_detail.html", context, status=status)


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, access_batch(request.user, pk))


@login_required
def batch_progress(request: HttpRequest, pk: int) -> HttpResponse:
    batch = access_batch(request.user, pk)
    return render(request, "mutualaid/_batch_progress.html", {"batch": batch})


@login_required
@require_POST
def batch_export(request: HttpRequest, pk: int) -> HttpResponse:
    batch = access_batch(request.user, pk)
    outcome = run_service(request, lambda: services.batch_export(batch=batch,
                                                                 actor=request.user))
    if not outcome.ok or outcome.value is None:
        return _detail(request, batch, status=outcome.status)
    response = HttpResponse(outcome.value, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{batch.code}.csv"'
    return response


@login_required
@require_POST
def batch_results(request: HttpRequest, pk: int) -> HttpResponse:
    batch = access_batch(request.user, pk)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        # the permission first: an invalid form tells nothing to someone who may not act
        require_capability(request.user, Capability.MUTUALAID_WRITE, batch.org)
        return _detail(request, batch, status=400, upload_form=form)
    outcome = run_service(request, lambda: tasks.batch_results_upload(
        batch=batch, upload=form.cleaned_data["file"], actor=request.user), form=form,
        success=_("回盘文件已上传，正在后台处理。"))
    if not outcome.ok:
        return _detail(request, batch, status=outcome.status, upload_form=form)
    return redirect("mutualaid:batch", batch.pk)


@login_required
@require_POST
def batch_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    batch = access_batch(request.user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        require_capability(request.user, Capability.MUTUALAID_WRITE, batch.org)
        return _detail(request, batch, status=400, cancel_form=form)
    outcome = run_service(request, lambda: services.batch_cancel(
        batch=batch, actor=request.user, reason=form.cleaned_data["reason"]), form=form,
        success=_("批次已撤销，给付已退回待支付。"))
    if not outcome.ok:
        return _detail(request, batch, status=outcome.status, cancel_form=form)
    return redirect("mutualaid:batch", batch.pk)
