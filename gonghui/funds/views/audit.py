"""Pages for auditors' findings (经审意见)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import Capability
from gonghui.audit.models import AuditEvent
from gonghui.core import clock
from gonghui.core.errors import NotFound
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import Outcome, form_status, run_service
from gonghui.funds import selectors, services
from gonghui.funds.forms import AnswerForm, FindingForm, NoteForm
from gonghui.funds.models import Finding, FindingStatus, Severity
from gonghui.funds.permissions import access_finding, access_transaction, access_union
from gonghui.funds.views.ledger import tx_page, union_context
from gonghui.orgs.models import Org

# action in the URL → (the capability it takes, its form)
MOVES: dict[str, tuple[Capability, type[Any]]] = {
    "answer": (Capability.FUNDS_WRITE, AnswerForm),
    "close": (Capability.FUNDS_AUDIT, NoteForm),
    "reopen": (Capability.FUNDS_AUDIT, NoteForm),
}


def _findings_page(request: HttpRequest, union: Org, *, form: Any = None, status: int = 200,
                   ) -> HttpResponse:
    params = {k: request.GET.get(k, "").strip() for k in ("q", "status", "severity")}
    queryset = selectors.finding_list(viewer=request.user, union=union, **params)
    return render(request, "funds/findings.html", {
        **union_context(request, union, "findings"), "page": paginate(request, queryset),
        "params": params, "statuses": FindingStatus.choices, "severities": Severity.choices,
        "qs": querystring_without_page(request), "form": form or FindingForm(),
        "answer_form": AnswerForm(), "note_form": NoteForm(), **audit_checks(union),
    }, status=status)


def audit_checks(union: Org) -> dict[str, Any]:
    """经审 checks shown on the findings page: voucher-number gaps of this year and last (there
    must be none), refused postings into closed periods (logged), the year-end closings."""
    year = clock.today().year
    return {
        "gap_years": [(y, selectors.voucher_gaps(union, y)) for y in (year - 1, year)],
        "late_postings": list(AuditEvent.objects.filter(
            action="funds.late_posting_refused", org_path=union.path).order_by("-id")[:20]),
        "closings": selectors.year_closings(union),
    }


@login_required
def findings(request: HttpRequest, pk: int) -> HttpResponse:
    return _findings_page(request, access_union(request.user, pk))


@login_required
@require_POST
def finding_add(request: HttpRequest, pk: int) -> HttpResponse:
    """On a union (pk) or, with `tx`, on one of its transactions."""
    union = access_union(request.user, pk, write=True, cap=Capability.FUNDS_AUDIT)
    tx = None
    if request.POST.get("tx", "").isdigit():
        tx = access_transaction(request.user, int(request.POST["tx"]))
    form = FindingForm(request.POST)
    outcome = None
    if form.is_valid():
        outcome = run_service(request, lambda: services.finding_add(
            union=union, tx=tx, actor=request.user, **form.cleaned_data),
            form=form, success=_("审计意见已提出。"))
        if outcome.ok:
            return redirect("funds:tx", tx.pk) if tx else redirect("funds:findings", union.pk)
    status = form_status(form, outcome)
    if tx is not None:
        return tx_page(request, tx, finding_form=form, status=status)
    return _findings_page(request, union, form=form, status=status)


def _move(request: HttpRequest, finding: Finding, action: str, form: Any) -> Any:
    data = form.cleaned_data
    if action == "answer":
        return services.finding_answer(finding=finding, actor=request.user,
                                       response=data["response"])
    if action == "close":
        return services.finding_close(finding=finding, actor=request.user, note=data["note"])
    return services.finding_reopen(finding=finding, actor=request.user, note=data["note"])


@login_required
@require_POST
def finding_move(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in MOVES:
        raise NotFound()
    cap, form_class = MOVES[action]
    finding = access_finding(request.user, pk, write=True, cap=cap)
    form = form_class(request.POST)
    outcome: Outcome[Any] | None = None
    if form.is_valid():
        outcome = run_service(request, lambda: _move(request, finding, action, form),
                              form=form, success=_("已更新。"))
        if outcome.ok:
            return redirect("funds:findings", finding.union_id)
    # The finding's forms are small inline ones: the list comes back with the message on top.
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return _findings_page(request, finding.union, status=form_status(form, outcome))
