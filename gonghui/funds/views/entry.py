"""Pages where a treasurer records income, spending, the payroll allocation and remittances."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gonghui.core import clock
from gonghui.core.errors import ApplicationError
from gonghui.funds import selectors, services
from gonghui.funds.forms import AllocationForm, ExpenseForm, IncomeForm, RemitForm
from gonghui.funds.permissions import access_union
from gonghui.funds.services.entries import PolicyBlocked, PolicyWarning
from gonghui.funds.services.rules import allocation_split
from gonghui.funds.views.ledger import _date, union_context


def _form_page(request, template, union, form, tab, **extra) -> HttpResponse:
    return render(request, template, {**union_context(request, union, tab), "form": form,
                                      **extra})


@login_required
def income_new(request: HttpRequest, pk: int) -> HttpResponse:
    union = access_union(request.user, pk, write=True)
    form = IncomeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            tx = services.income_record(
                union=union, date=data["date"], account_code=data["account_code"],
                amount=data["amount"], memo=data["memo"], into=data["into"],
                idempotency_key=data["idempotency_key"], actor=request.user,
                evidence=data.get("evidence"))
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已记账：凭证 #{pk}。").format(pk=tx.pk))
            return redirect("funds:tx", tx.pk)
    return _form_page(request, "funds/income_form.html", union, form, "income")


@login_required
def expense_new(request: HttpRequest, pk: int) -> HttpResponse:
    union = access_union(request.user, pk, write=True)
    form = ExpenseForm(request.POST or None, request.FILES or None)
    warnings: list = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            tx = services.expense_record(
                union=union, date=data["date"], account_code=data["account_code"],
                amount=data["amount"], memo=data["memo"], paid_from=data["paid_from"],
                idempotency_key=data["idempotency_key"], actor=request.user,
                evidence=data["evidence"], confirm_warnings=data["confirm_warnings"])
        except PolicyWarning as exc:
            warnings = exc.checks
            form.add_error(None, _("超出提醒性限额：请核实后勾选“仍然记账”并重新上传凭证。"))
        except PolicyBlocked as exc:
            form.add_error(None, _("超出禁止性限额，不能记账。") + exc.message)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已记账：凭证 #{pk}。").format(pk=tx.pk))
            return redirect("funds:tx", tx.pk)
    return _form_page(request, "funds/expense_form.html", union, form, "expense",
                      warnings=warnings, limits=selectors.limits_for(union))


@login_required
def policy_check(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the limits that apply to the entry being typed, with what is used and left."""
    union = access_union(request.user, pk)
    try:
        amount = Decimal(request.GET.get("amount") or "0").quantize(Decimal("0.01"))
    except InvalidOperation:
        amount = Decimal("0.00")
    date = _date(request.GET.get("date", "")) or clock.today()
    checks = services.policy_check(union=union, account_code=request.GET.get("account_code", ""),
                                   amount=max(amount, Decimal("0.00")), date=date)
    return render(request, "funds/_policy_check.html", {"checks": checks})


@login_required
def allocation_new(request: HttpRequest, pk: int) -> HttpResponse:
    union = access_union(request.user, pk, write=True)
    form = AllocationForm(request.POST or None, request.FILES or None)
    ratio, rule = services.kept_ratio_for(union)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            allocation = services.allocation_record(
                union=union, date=data["date"], employer_name=data["employer_name"],
                payroll=data["payroll"], idempotency_key=data["idempotency_key"],
                actor=request.user, evidence=data.get("evidence"))
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _(
                "已记账：拨缴经费 {total} 元，留成 {kept} 元，应上解 {up} 元。").format(
                total=allocation.total, kept=allocation.kept, up=allocation.passed_up))
            return redirect("funds:tx", allocation.transaction_id)
    example = allocation_split(Decimal("100000.00"), ratio)
    return _form_page(request, "funds/allocation_form.html", union, form, "income",
                      ratio=ratio * 100, rule=rule, example=example,
                      remit_form=RemitForm(),
                      owed=-selectors.account_balances(union).get("2201", Decimal("0")))


@login_required
def remit_new(request: HttpRequest, pk: int) -> HttpResponse:
    union = access_union(request.user, pk, write=True)
    form = RemitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            here, _there = services.allocation_remit(
                union=union, date=data["date"], amount=data["amount"],
                idempotency_key=data["idempotency_key"], actor=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已上解，凭证 #{pk}。").format(pk=here.pk))
            return redirect("funds:tx", here.pk)
    else:
        messages.error(request, _("请填写上解日期和金额。"))
    return redirect("funds:allocation_new", union.pk)
