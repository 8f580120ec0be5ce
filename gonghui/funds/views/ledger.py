"""Pages: choosing a book, a union's funds overview, the journal, one transaction, evidence."""

from __future__ import annotations

import datetime as dt
import mimetypes
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.audit.services import sensitive_read_record
from gonghui.core import clock
from gonghui.core.actor import Actor
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import form_status, run_service
from gonghui.funds import reports, selectors, services
from gonghui.funds.forms import EvidenceForm, FindingForm, ReverseForm
from gonghui.funds.models import FindingStatus, LedgerTransaction
from gonghui.funds.permissions import access_evidence, access_transaction, access_union
from gonghui.funds.sources import SOURCES
from gonghui.orgs.models import Level, Org


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None



def caps(user: Actor, union: Org) -> dict[str, bool]:
    """What the page offers (buttons, forms); the services decide what is allowed."""
    return {
        "can_write": has_capability(user, Capability.FUNDS_WRITE, union),
        "can_audit": has_capability(user, Capability.FUNDS_AUDIT, union),
        "can_policy": has_capability(user, Capability.POLICY_WRITE, union),
    }


def _dues_enabled() -> bool:
    try:
        reverse("funds:dues", args=[1])
    except NoReverseMatch:
        return False
    return True


def union_context(request: HttpRequest, union: Org, tab: str) -> dict[str, Any]:
    return {
        "union": union, "tab": tab, **caps(request.user, union),
        "current_year": clock.today().year, "dues_enabled": _dues_enabled(),
        "ancestors": selectors.book_ancestors(viewer=request.user, union=union),
    }


@login_required
def home(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.FUNDS_READ)
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


def tx_page(request: HttpRequest, tx: LedgerTransaction, *, status: int = 200,
            **forms: Any) -> HttpResponse:
    """The transaction page; a form posted from it comes back here with its errors."""
    return render(request, "funds/tx_detail.html", {
        **union_context(request, tx.union, "journal"), "tx": tx,
        "source_name": dict(SOURCES).get(tx.source, tx.source),
        **selectors.transaction_detail(tx),
        "reverse_form": forms.get("reverse_form") or ReverseForm(
            initial={"date": clock.today()}),
        "finding_form": forms.get("finding_form") or FindingForm(),
        "evidence_form": forms.get("evidence_form") or EvidenceForm(),
    }, status=status)


@login_required
def tx_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return tx_page(request, access_transaction(request.user, pk))


@login_required
@require_POST
def tx_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    tx = access_transaction(request.user, pk, write=True)
    form = ReverseForm(request.POST)
    outcome = None
    if form.is_valid():
        outcome = run_service(request, lambda: services.reverse_transaction(
            tx=tx, actor=request.user, date=form.cleaned_data["date"],
            memo=form.cleaned_data["memo"]),
            form=form)
        if outcome.ok and outcome.value is not None:
            messages.success(request, _("已冲销，冲销凭证 {label}。").format(
                label=outcome.value.voucher_label))
            return redirect("funds:tx", outcome.value.pk)
    return tx_page(request, tx, reverse_form=form, status=form_status(form, outcome))


@login_required
@require_POST
def evidence_add(request: HttpRequest, pk: int) -> HttpResponse:
    tx = access_transaction(request.user, pk, write=True)
    form = EvidenceForm(request.POST, request.FILES)
    outcome = None
    if form.is_valid():
        upload = form.cleaned_data["evidence"]
        outcome = run_service(
            request, lambda: services.evidence_attach(tx=tx, upload=upload, actor=request.user),
            form=form, success=_("已上传“{name}”。").format(name=upload.name))
        if outcome.ok:
            return redirect("funds:tx", tx.pk)
    return tx_page(request, tx, evidence_form=form, status=form_status(form, outcome))


@login_required
def evidence(request: HttpRequest, pk: int) -> FileResponse:
    """Evidence files are never under a public URL: this view checks scope, logs the read of the
    document and streams it. An invoice scan is not an ID number or a bank account (those go
    through `audit.services.reveal` with a purpose the user gives): the read is logged with the
    fixed purpose of looking at a posting's evidence."""
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
