from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.scoping import can, scope
from gonghui.core.errors import ApplicationError
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.mutualaid import selectors, services
from gonghui.mutualaid.forms import BatchForm, ReasonForm, UploadForm
from gonghui.mutualaid.models import BatchStatus, Plan
from gonghui.mutualaid.permissions import access_batch, access_union
from gonghui.mutualaid.services.jobs import batch_results_upload
from gonghui.orgs.models import Org


def _payer_orgs(user) -> list[Org]:
    """Orgs that run plans and where the user may make batches."""
    paying = Plan.objects.values_list("org_id", flat=True)
    return list(scope(Org.objects.filter(pk__in=paying), user, "mutualaid.write")
                .order_by("path"))


@login_required
def batch_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    payers = _payer_orgs(request.user)
    plans = Plan.objects.filter(org__in=payers).order_by("code")
    form = BatchForm(request.POST or None, plans=plans)
    if request.method == "POST" and form.is_valid():
        org = access_union(request.user, request.POST.get("org", ""), write=True)
        plan = plans.filter(pk=form.cleaned_data["plan"]).first() if form.cleaned_data[
            "plan"] else None
        try:
            batch = services.batch_create(org=org, actor=request.user, plan=plan,
                                          note=form.cleaned_data["note"])
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            text = _("已生成批次 {code}：{n} 笔，{total} 元。").format(
                code=batch.code, n=batch.items_count, total=batch.total)
            if batch.without_account:
                text += _("另有 {n} 笔因未登记收款账户暂未编入。").format(n=batch.without_account)
            messages.success(request, text)
            return redirect("mutualaid:batch", batch.pk)
    return render(request, "mutualaid/batches.html", {
        "page": paginate(request, selectors.batch_list(viewer=request.user, status=status)),
        "form": form, "payers": payers, "status": status, "statuses": BatchStatus.choices,
        "qs": querystring_without_page(request)})


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = access_batch(request.user, pk)
    items = batch.items.select_related("payout", "payout__plan").order_by("id")
    result = request.GET.get("result", "")
    if result:
        items = items.filter(result=result)
    return render(request, "mutualaid/batch_detail.html", {
        "batch": batch, "page": paginate(request, items), "result": result,
        "history": batch.events.order_by("at", "id"),
        "can_write": can(request.user, batch.org, "mutualaid.write"),
        "upload_form": UploadForm(), "cancel_form": ReasonForm(),
        "qs": querystring_without_page(request)})


@login_required
def batch_progress(request: HttpRequest, pk: int) -> HttpResponse:
    batch = access_batch(request.user, pk)
    return render(request, "mutualaid/_batch_progress.html", {"batch": batch})


@login_required
@require_POST
def batch_export(request: HttpRequest, pk: int) -> HttpResponse:
    batch = access_batch(request.user, pk, write=True)
    try:
        content = services.batch_export(batch=batch, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("mutualaid:batch", batch.pk)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{batch.code}.csv"'
    return response


@login_required
@require_POST
def batch_results(request: HttpRequest, pk: int) -> HttpResponse:
    batch = access_batch(request.user, pk, write=True)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            batch_results_upload(batch=batch, upload=form.cleaned_data["file"],
                                 actor=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("回盘文件已上传，正在后台处理。"))
    else:
        messages.error(request, _("请选择回盘文件。"))
    return redirect("mutualaid:batch", batch.pk)


@login_required
@require_POST
def batch_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    batch = access_batch(request.user, pk, write=True)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写撤销原因。"))
        return redirect("mutualaid:batch", batch.pk)
    try:
        services.batch_cancel(batch=batch, actor=request.user,
                              reason=form.cleaned_data["reason"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("批次已撤销，给付已退回待支付。"))
    return redirect("mutualaid:batch", batch.pk)
