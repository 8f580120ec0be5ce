"""Pages: setting up a book (建账: voucher numbering, opening balances), year-end closing and
reopening, the subtree closing run with its progress."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import Capability
from gonghui.core.views import Outcome, form_status, run_service
from gonghui.funds import services
from gonghui.funds.forms import (
    OpeningForm,
    OpeningImportForm,
    VoucherSchemeForm,
    YearCloseForm,
    YearReopenForm,
)
from gonghui.funds.models import Book, VoucherScheme
from gonghui.funds.permissions import access_run, access_union
from gonghui.funds.services.opening import opening_entry
from gonghui.funds.views.ledger import union_context
from gonghui.funds.views.manage import close_page


def _setup_page(request: HttpRequest, union: Any, *, status: int = 200,
                **forms: Any) -> HttpResponse:
    book = Book.objects.filter(union=union).first()
    scheme = book.voucher_scheme if book else "single"
    return render(request, "funds/setup.html", {
        **union_context(request, union, "setup"),
        "scheme_form": forms.get("scheme_form") or VoucherSchemeForm(
            initial={"voucher_scheme": scheme}),
        "opening_form": forms.get("opening_form") or OpeningForm(),
        "import_form": forms.get("import_form") or OpeningImportForm(),
        "opening": opening_entry(union),
        "scheme_label": VoucherScheme(scheme).label,
    }, status=status)


@login_required
def setup(request: HttpRequest, pk: int) -> HttpResponse:
    union = access_union(request.user, pk, write=request.method == "POST")
    if request.method != "POST":
        return _setup_page(request, union)
    kind = request.POST.get("form")
    outcome: Outcome[Any] | None = None
    if kind == "scheme":
        form: Any = VoucherSchemeForm(request.POST)
        if form.is_valid():
            outcome = run_service(request, lambda: services.voucher_scheme_set(
                union=union, scheme=form.cleaned_data["voucher_scheme"], actor=request.user),
                form=form, success=_("凭证字设置已保存。"))
            if outcome.ok:
                return redirect("funds:setup", union.pk)
        return _setup_page(request, union, scheme_form=form, status=form_status(form, outcome))
    if kind == "import":
        form = OpeningImportForm(request.POST, request.FILES)
        if form.is_valid():
            outcome = run_service(request, lambda: services.opening_balances_import(
                union=union, date=form.cleaned_data["date"], upload=form.cleaned_data["upload"],
                actor=request.user), form=form, success=_("期初余额已记账。"))
            if outcome.ok:
                return redirect("funds:setup", union.pk)
        return _setup_page(request, union, import_form=form, status=form_status(form, outcome))
    form = OpeningForm(request.POST)
    if form.is_valid():
        outcome = run_service(request, lambda: services.opening_balances_post(
            union=union, date=form.cleaned_data["date"], rows=form.rows(), actor=request.user),
            form=form, success=_("期初余额已记账。"))
        if outcome.ok:
            return redirect("funds:setup", union.pk)
    return _setup_page(request, union, opening_form=form, status=form_status(form, outcome))


@login_required
@require_POST
def year_close(request: HttpRequest, pk: int) -> HttpResponse:
    union = access_union(request.user, pk, write=True)
    form = YearCloseForm(request.POST)
    if not form.is_valid():
        return close_page(request, union, year_form=form, status=400)
    year = form.cleaned_data["year"]
    if form.cleaned_data["subtree"]:
        started = run_service(request, lambda: services.year_close_run_start(
            root=union, year=year, actor=request.user), form=form)
        if started.ok and started.value is not None:
            return redirect("funds:year_run", started.value.pk)
        return close_page(request, union, year_form=form, status=form_status(form, started))
    outcome = run_service(request, lambda: services.year_close(
        union=union, year=year, actor=request.user), form=form)
    if outcome.ok and outcome.value is not None:
        messages.success(request, _("{y} 年度已结账。").format(y=year) if outcome.value.created
                         else _("{y} 年度此前已结账，未作任何改动。").format(y=year))
        return redirect("funds:close", union.pk)
    return close_page(request, union, year_form=form, status=form_status(form, outcome))


@login_required
@require_POST
def year_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    union = access_union(request.user, pk, write=True, cap=Capability.FUNDS_REOPEN)
    form = YearReopenForm(request.POST)
    outcome = None
    if form.is_valid():
        outcome = run_service(request, lambda: services.year_reopen(
            union=union, year=form.cleaned_data["year"], reason=form.cleaned_data["reason"],
            actor=request.user), form=form, success=_("已反结账，结账凭证已冲销。"))
        if outcome.ok:
            return redirect("funds:close", union.pk)
    return close_page(request, union, reopen_form=form, status=form_status(form, outcome))


@login_required
def year_run(request: HttpRequest, pk: int) -> HttpResponse:
    run = access_run(request.user, pk)
    template = ("funds/_year_run_progress.html" if request.headers.get("HX-Request")
                else "funds/year_run.html")
    return render(request, template, {
        **union_context(request, run.org, "close"), "run": run})
