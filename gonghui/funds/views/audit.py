"""Pages for auditors' findings (经审意见)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.errors import ApplicationError
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.funds import selectors, services
from gonghui.funds.forms import AnswerForm, FindingForm, NoteForm
from gonghui.funds.models import FindingStatus, Severity
from gonghui.funds.permissions import access_finding, access_transaction, access_union
from gonghui.funds.views.ledger import union_context


@login_required
def findings(request: HttpRequest, pk: int) -> HttpResponse:
    union = access_union(request.user, pk)
    params = {k: request.GET.get(k, "").strip() for k in ("q", "status", "severity")}
    queryset = selectors.finding_list(viewer=request.user, union=union, **params)
    return render(request, "funds/findings.html", {
        **union_context(request, union, "findings"), "page": paginate(request, queryset),
        "params": params, "statuses": FindingStatus.choices, "severities": Severity.choices,
        "qs": querystring_without_page(request), "form": FindingForm(),
        "answer_form": AnswerForm(), "note_form": NoteForm(),
    })


@login_required
@require_POST
def finding_add(request: HttpRequest, pk: int) -> HttpResponse:
    """On a union (pk) or, with `tx`, on one of its transactions."""
    union = access_union(request.user, pk, write=True, cap="funds.audit")
    tx = None
    if request.POST.get("tx", "").isdigit():
        tx = access_transaction(request.user, int(request.POST["tx"]))
    form = FindingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择性质并填写审计意见。"))
    else:
        try:
            services.finding_add(union=union, tx=tx, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("审计意见已提出。"))
    return redirect("funds:tx", tx.pk) if tx else redirect("funds:findings", union.pk)


@login_required
@require_POST
def finding_move(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    cap = "funds.write" if action == "answer" else "funds.audit"
    finding = access_finding(request.user, pk, write=True, cap=cap)
    try:
        if action == "answer":
            form = AnswerForm(request.POST)
            if not form.is_valid():
                raise ApplicationError(_("请填写答复。"))
            services.finding_answer(finding=finding, actor=request.user,
                                    response=form.cleaned_data["response"])
        elif action == "close":
            services.finding_close(finding=finding, actor=request.user,
                                   note=request.POST.get("note", ""))
        elif action == "reopen":
            services.finding_reopen(finding=finding, actor=request.user,
                                    note=request.POST.get("note", ""))
        else:
            raise ApplicationError(_("未知操作。"))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已更新。"))
    return redirect("funds:findings", finding.union_id)
