"""Pages: choosing a book, a union's funds overview, the journal, one transaction, evidence."""

from __future__ import annotations

import datetime as dt
import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.scoping import can
from gonghui.audit.services import sensitive_read_record
from gonghui.core import clock
from gonghui.core.errors import ApplicationError
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.funds import reports, selectors, services
from gonghui.funds.forms import FindingForm, ReverseForm
from gonghui.funds.models import FindingStatus
from gonghui.funds.permissions import access_evidence, access_transaction, access_union
from gonghui.orgs.models import Level
from gonghui.orgs.selectors import org_ancestors

SOURCES = [
    ("funds.income", _("收入")), ("funds.expense", _("支出")), ("funds.dues", _("会费")),
    ("funds.allocation", _("拨缴经费")), ("funds.remit", _("上解")),
    ("funds.remit_in", _("下级上解")), ("funds.reversal", _("冲销")),
    ("mutualaid.payout", _("互助保障给付")), ("aid.assistance", _("困难帮扶")),
]


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def caps(user, union) -> dict[str, bool]:
    return {
        "can_write": can(user, union, "funds.write"),
        "can_audit": can(user, union, "funds.audit"),
        "can_policy": can(user, union, "policy.write"),
    }


def _dues_enabled() -> bool:
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("funds:dues", args=[1])
    except NoReverseMatch:
        return False
    return True


def union_context(request: HttpRequest, union, tab: str) -> dict:
    return {
        "union": union, "tab": tab, **caps(request.user, union),
        "current_year": clock.today().year, "dues_enabled": _dues_enabled(),
        "ancestors": [a for a in org_ancestors(union) if can(request.user, a, "funds.read")],
    }


@login_required
def home(request: HttpRequest) -> HttpResponse:
    params = {k: request.GET.get(k, "").strip() for k in ("q", "level")}
    queryset = selectors.union_list(viewer=request.user, **params)
    page = paginate(request, queryset)
    return render(request, "funds/home.html", {
        "page": page, "params": params, "levels": Level.choices,
        "qs": querystring_without_page(request),
    })


@login_required
def union(request: HttpRequest, pk: int) -> HttpResponse:
    org = access_union(request.user, pk)
    today = clock.today()
    year = today.year
    if request.GET.get("year", "").isdigit() and 2000 <= int(request.GET["year"]) <= 2999:
        year = int(request.GET["year"])
    rollup = request.GET.get("rollup") == "1"
    statement = reports.income_statement(viewer=request.user, org=org, year=year, rollup=rollup)
    budget = reports.budget_vs_actual(viewer=request.user, org=org, year=year, rollup=rollup,
                                      upto=today)
    balances = selectors.account_balances(org)
    recent = selectors.journal(viewer=request.user, union=org)[:8]
    return render(request, "funds/union.html", {
        **union_context(request, org, "overview"), "year": year, "rollup": rollup,
        "statement": statement, "budget": budget,
        "bank": balances.get("1002", 0), "cash": balances.get("1001", 0),
        "owed_up": -balances.get("2201", 0), "recent": recent,
        "limits": selectors.limits_for(org),
        "open_findings": selectors.finding_list(viewer=request.user, union=org,
                                                status=FindingStatus.OPEN).count(),
    })


@login_required
def journal(request: HttpRequest, pk: int) -> HttpResponse:
    org = access_union(request.user, pk)
    params = {k: request.GET.get(k, "").strip() for k in
              ("q", "date_from", "date_to", "source", "account", "rollup")}
    queryset = selectors.journal(
        viewer=request.user, union=org, q=params["q"], date_from=_date(params["date_from"]),
        date_to=_date(params["date_to"]), source=params["source"], account=params["account"],
        rollup=params["rollup"] == "1")
    return render(request, "funds/journal.html", {
        **union_context(request, org, "journal"), "page": paginate(request, queryset),
        "params": params, "sources": SOURCES, "qs": querystring_without_page(request),
    })


@login_required
def tx_detail(request: HttpRequest, pk: int) -> HttpResponse:
    tx = access_transaction(request.user, pk)
    return render(request, "funds/tx_detail.html", {
        **union_context(request, tx.union, "journal"), "tx": tx,
        **selectors.transaction_detail(tx),
        "reverse_form": ReverseForm(initial={"date": clock.today()}),
        "finding_form": FindingForm(),
    })


@login_required
@require_POST
def tx_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    tx = access_transaction(request.user, pk, write=True)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写冲销日期和原因。"))
        return redirect("funds:tx", tx.pk)
    try:
        rev = services.reverse_transaction(tx=tx, actor=request.user,
                                           date=form.cleaned_data["date"],
                                           memo=_("冲销 #{pk}：{why}").format(
                                               pk=tx.pk, why=form.cleaned_data["memo"]))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("funds:tx", tx.pk)
    messages.success(request, _("已冲销，冲销凭证 #{pk}。").format(pk=rev.pk))
    return redirect("funds:tx", rev.pk)


@login_required
@require_POST
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    tx = access_transaction(request.user, pk, write=True)
    upload = request.FILES.get("evidence")
    if upload is None:
        messages.error(request, _("请选择要上传的文件。"))
        return redirect("funds:tx", tx.pk)
    try:
        services.evidence_attach(tx=tx, upload=upload, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已上传“{name}”。").format(name=upload.name))
    return redirect("funds:tx", tx.pk)


@login_required
def evidence(request: HttpRequest, pk: int) -> FileResponse:
    """Evidence files are never under a public URL: this view checks scope, logs the read of the
    document and streams it."""
    item = access_evidence(request.user, pk)
    sensitive_read_record(actor=request.user, subject=item, field="evidence",
                          purpose=_("查看经费原始凭证"), org_path=item.union.path)
    content_type = item.content_type or mimetypes.guess_type(item.original_name)[0]
    response = FileResponse(item.file.open("rb"), as_attachment=bool(request.GET.get("download")),
                            filename=item.original_name,
                            content_type=content_type or "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response

