"""Pages where a treasurer records income, spending, the payroll allocation and remittances.

A form page is reached with `funds.write` over the union (access_union(write=True)); what is
posted goes to the service, which checks again with the rules of the book (open, limits)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gonghui.core import clock
from gonghui.core.cells import CellError, parse_money
from gonghui.core.views import form_status, posted, run_service, uploaded
from gonghui.funds import selectors, services
from gonghui.funds.forms import AllocationForm, ExpenseForm, IncomeForm, RemitForm
from gonghui.funds.permissions import access_union
from gonghui.funds.services.entries import PolicyBlocked, PolicyWarning
from gonghui.funds.services.rules import allocation_split
from gonghui.funds.views.ledger import _date, union_context
from gonghui.orgs.models import Org


def _form_page(request: HttpRequest, template: str, union: Org, form: Any, tab: str, *,
               status: int = 200, **extra: Any) -> HttpResponse:
    return render(request, template, {**union_context(request, union, tab), "form": form,
                                      **extra}, status=status)


@login_required
def income_new(request: HttpRequest, pk: int) -> HttpResponse:
    union = access_union(request.user, pk, write=True)
    form = IncomeForm(posted(request), uploaded(request))
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = run_service(request, lambda: services.income_record(
            union=union, date=data["date"], account_code=data["account_code"],
            amount=data["amount"], memo=data["memo"], into=data["into"],
            idempotency_key=data["idempotency_key"], actor=request.user,
            evidence=data.get("evidence")), form=form)
        if outcome.ok and outcome.value is not None:
            messages.success(request, _("已记账：凭证 #{pk}。").format(pk=outcome.value.pk))
            return redirect("funds:tx", outcome.value.pk)
    return _form_page(request, "funds/income_form.html", union, form, "income",
                      status=form_status(form, outcome))


@login_required
def expense_new(request: HttpRequest, pk: int) -> HttpResponse:
    union = access_union(request.user, pk, write=True)
    form = ExpenseForm(posted(request), uploaded(request))
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = run_service(request, lambda: services.expense_record(
            union=union, date=data["date"], account_code=data["account_code"],
            amount=data["amount"], memo=data["memo"], paid_from=data["paid_from"],
            idempotency_key=data["idempotency_key"], actor=request.user,
            evidence=data["evidence"], confirm_warnings=data["confirm_warnings"]), form=form)
        if outcome.ok and outcome.value is not None:
            messages.success(request, _("已记账：凭证 #{pk}。").format(pk=outcome.value.pk))
            return redirect("funds:tx", outcome.value.pk)
    error = outcome.error if outcome is not None else None
    # The rule's own sentence is on the form; the page says what to do about it.
    return _form_page(request, "funds/expense_form.html", union, form, "expense",
                      status=form_status(form, outcome),
                      warnings=error.checks if isinstance(error, PolicyWarning) else [],
                      blocked=isinstance(error, PolicyBlocked),
                      limits=selectors.limits_for(union))


@login_required
def policy_check(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the limits that apply to the entry being typed, with what is used and left."""
    union = access_union(request.user, pk)
    try:
        amount = parse_money(request.GET.get("amount", ""), required=False) or Decimal("0.00")
    except CellError:
        amount = Decimal("0.00")  # still being typed: show the limits as they stand
    date = _date(request.GET.get("date", "")) or clock.today()
    checks = services.policy_check(union=union, account_code=request.GET.get("account_code", ""),
                                   amount=amount, date=date)
    return render(request, "funds/_policy_check.html", {"checks": checks})


def _allocation_page(request: HttpRequest, union: Org, form: Any, remit_form: Any, *,
                     status: int = 200) -> HttpResponse:
    ratio, rule = services.kept_ratio_for(union)
    example = allocation_split(Decimal("100000.00"), ratio)
    return _form_page(request, "funds/allocation_form.html", union, form, "income",
                      status=status, ratio=ratio * 100, rule=rule, example=example,
                      remit_form=remit_form,
                      owed=-selectors.account_balances(union).get("2201", Decimal("0")))


@login_required
def allocation_new(request: HttpRequest, pk: int) -> HttpResponse:
    union = access_union(request.user, pk, write=True)
    form = AllocationForm(posted(request), uploaded(request))
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = run_service(request, lambda: services.allocation_record(
            union=union, date=data["date"], employer_name=data["employer_name"],
            payroll=data["payroll"], idempotency_key=data["idempotency_key"],
            actor=request.user, evidence=data.get("evidence")), form=form)
        allocation = outcome.value
        if outcome.ok and allocation is not None:
            messages.success(request, _(
                "已记账：拨缴经费 {total} 元，留成 {kept} 元，应上解 {up} 元。").format(
                total=allocation.total, kept=allocation.kept, up=allocation.passed_up))
            return redirect("funds:tx", allocation.transaction_id)
    return _allocation_page(request, union, form, RemitForm(),
                            status=form_status(form, outcome))


@login_required
def remit_new(request: HttpRequest, pk: int) -> HttpResponse:
    """The remittance form lives on the allocation page: GET shows that page."""
    union = access_union(request.user, pk, write=True)
    form = RemitForm(posted(request))
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = run_service(request, lambda: services.allocation_remit(
            union=union, date=data["date"], amount=data["amount"],
            idempotency_key=data["idempotency_key"], actor=request.user), form=form)
        if outcome.ok and outcome.value is not None:
            here = outcome.value[0]
            messages.success(request, _("已上解，凭证 #{pk}。").format(pk=here.pk))
            return redirect("funds:tx", here.pk)
    return _allocation_page(request, union, AllocationForm(), form,
                            status=form_status(form, outcome))
