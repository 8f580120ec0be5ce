"""Pages: bank statements, matching, the reconciliation statement (银行存款余额调节表)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.core.colocated import same_union
from gonghui.core.errors import NotFound
from gonghui.core.views import form_status, posted, run_service, uploaded
from gonghui.funds.forms import ManualMatchForm, StatementForm
from gonghui.funds.models import BankStatementLine, LedgerLine
from gonghui.funds.permissions import access_match, access_statement, access_union
from gonghui.funds.services import bank as bank_services
from gonghui.funds.views.ledger import union_context
from gonghui.funds.views.reports import export_response


@login_required
def statements(request: HttpRequest, pk: int) -> HttpResponse:
    union = access_union(request.user, pk, write=request.method == "POST")
    form = StatementForm(posted(request), uploaded(request))
    outcome = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["upload"]
        outcome = run_service(request, lambda: bank_services.statement_import(
            union=union, upload=upload, file_name=upload.name, actor=request.user,
            opening_balance=form.cleaned_data["opening_balance"], mapping=form.mapping()),
            form=form, success=_("对账单已导入。"))
        if outcome.ok and outcome.value is not None:
            return redirect("funds:statement", outcome.value.pk)
    return render(request, "funds/bank.html", {
        **union_context(request, union, "bank"), "form": form,
        "statements": bank_services.statements_of(union)[:50],
    }, status=form_status(form, outcome))


def _statement_page(request: HttpRequest, statement: Any, *, status: int = 200,
                    form: Any = None) -> HttpResponse:
    union = statement.union
    bank_items, ledger_items = bank_services.unmatched(union, statement)
    matches = bank_services.matches_of(statement)
    return render(request, "funds/statement.html", {
        **union_context(request, union, "bank"), "statement": statement,
        "bank_items": bank_items, "ledger_items": ledger_items, "matches": matches,
        "report": bank_services.reconciliation(union, statement),
        "match_form": form or ManualMatchForm(),
    }, status=status)


@login_required
def statement(request: HttpRequest, pk: int) -> HttpResponse:
    return _statement_page(request, access_statement(request.user, pk))


@login_required
@require_POST
def auto_match(request: HttpRequest, pk: int) -> HttpResponse:
    statement = access_statement(request.user, pk, write=True)
    outcome = run_service(request, lambda: bank_services.auto_match(
        union=statement.union, statement=statement, actor=request.user))
    if outcome.ok:
        messages.success(request, _("自动对上 {n} 笔。").format(n=outcome.value))
    return redirect("funds:statement", statement.pk)


@login_required
@require_POST
def manual_match(request: HttpRequest, pk: int) -> HttpResponse:
    statement = access_statement(request.user, pk, write=True)
    form = ManualMatchForm(request.POST)
    outcome = None
    if form.is_valid():
        line = BankStatementLine.objects.filter(
            pk=form.cleaned_data["statement_line"], statement=statement,
            union=statement.union_id).first()
        ledger_line = LedgerLine.objects.select_related("account").filter(
            same_union("account"), pk=form.cleaned_data["ledger_line"],
            union=statement.union).first()
        if line is None or ledger_line is None:
            raise NotFound()
        outcome = run_service(request, lambda: bank_services.match_manual(
            statement_line=line, ledger_line=ledger_line, actor=request.user),
            form=form, success=_("已手工对账。"))
        if outcome.ok:
            return redirect("funds:statement", statement.pk)
    return _statement_page(request, statement, form=form, status=form_status(form, outcome))


@login_required
@require_POST
def match_undo(request: HttpRequest, pk: int) -> HttpResponse:
    match = access_match(request.user, pk)
    statement_id = match.statement_line.statement_id
    run_service(request, lambda: bank_services.match_undo(match=match, actor=request.user),
                success=_("已取消对账。"))
    return redirect("funds:statement", statement_id)


@login_required
def reconciliation_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    statement = access_statement(request.user, pk)
    if fmt not in ("xlsx", "pdf"):
        raise Http404
    report = bank_services.reconciliation(statement.union, statement)
    return export_response(request, statement.union, report, fmt, object_id="bank")
