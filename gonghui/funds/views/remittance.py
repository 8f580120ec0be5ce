"""Pages: the employer remittance register (拨缴经费台账), the dunning list (催缴名单) and the
dunning letters (催缴函, PDF)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.audit.services import audit_record
from gonghui.core.errors import ApplicationError
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import Outcome, form_status, posted, run_service, uploaded
from gonghui.funds.forms_remittance import DeclarationForm, DeclarationImportForm, PaymentForm
from gonghui.funds.permissions import access_union
from gonghui.funds.remittance_letters import dunning_letters_pdf
from gonghui.funds.selectors_remittance import dunning_list, register, totals
from gonghui.funds.services import remittance as services
from gonghui.funds.views.ledger import union_context
from gonghui.orgs.models import Org


def _month(value: str) -> int | None:
    try:
        return services.parse_period(value) if value else None
    except ApplicationError:
        return None


def filters(request: HttpRequest) -> dict[str, Any]:
    """The list's filters from the query string (a bad month is ignored, not an error)."""
    params = {k: request.GET.get(k, "").strip() for k in ("q", "start", "end", "arrears")}
    return {"params": params, "q": params["q"][:100], "start": _month(params["start"]),
            "end": _month(params["end"]), "arrears_only": params["arrears"] == "1"}


def _page(request: HttpRequest, union: Org, *, declare: Any = None, pay: Any = None,
          upload: Any = None, status: int = 200) -> HttpResponse:
    chosen = filters(request)
    rows = register(viewer=request.user, union=union, q=chosen["q"], start=chosen["start"],
                    end=chosen["end"], arrears_only=chosen["arrears_only"])
    return render(request, "funds/remittance.html", {
        **union_context(request, union, "remittance"), "page": paginate(request, rows),
        "totals": totals(rows), "params": chosen["params"],
        "qs": querystring_without_page(request),
        "declare_form": declare or DeclarationForm(union=union),
        "pay_form": pay or PaymentForm(union=union),
        "import_form": upload or DeclarationImportForm(),
    }, status=status)


@login_required
def remittance(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, access_union(request.user, pk))


def _back(union: Org) -> HttpResponse:
    return redirect("funds:remittance", union.pk)


@login_required
@require_POST
def declare(request: HttpRequest, pk: int) -> HttpResponse:
    union = access_union(request.user, pk, write=True)
    form = DeclarationForm(posted(request), union=union)
    outcome: Outcome[Any] | None = None
    if form.is_valid():
        data = form.cleaned_data
        outcome = run_service(request, lambda: services.declaration_set(
            union=union, employer=data["employer"], period=data["period"],
            payroll=data["payroll"], actor=request.user), form=form,
            success=_("已保存工资总额申报。"))
        if outcome.ok:
            return _back(union)
    return _page(request, union, declare=form, status=form_status(form, outcome))


@login_required
@require_POST
def pay(request: HttpRequest, pk: int) -> HttpResponse:
    union = access_union(request.user, pk, write=True)
    form = PaymentForm(posted(request), union=union)
    outcome: Outcome[Any] | None = None
    if form.is_valid():
        data = form.cleaned_data
        outcome = run_service(request, lambda: services.payment_record(
            union=union, employer=data["employer"], period=data["period"],
            amount=data["amount"], paid_on=data["date"], note=data["note"],
            idempotency_key=data["idempotency_key"], actor=request.user), form=form,
            success=_("已登记拨缴经费到账并记账。"))
        if outcome.ok:
            return _back(union)
    return _page(request, union, pay=form, status=form_status(form, outcome))


@login_required
@require_POST
def import_declarations(request: HttpRequest, pk: int) -> HttpResponse:
    union = access_union(request.user, pk, write=True)
    form = DeclarationImportForm(posted(request), uploaded(request))
    outcome: Outcome[Any] | None = None
    if form.is_valid():
        outcome = run_service(request, lambda: services.declarations_import(
            union=union, upload=form.cleaned_data["upload"], actor=request.user), form=form)
        if outcome.ok:
            messages.success(request, _("已导入 {n} 条工资总额申报。").format(n=outcome.value))
            return _back(union)
    return _page(request, union, upload=form, status=form_status(form, outcome))


@login_required
def dunning(request: HttpRequest, pk: int) -> HttpResponse:
    union = access_union(request.user, pk)
    chosen = filters(request)
    items = dunning_list(viewer=request.user, union=union, q=chosen["q"], end=chosen["end"])
    total = sum((item.total for item in items), Decimal("0.00"))
    return render(request, "funds/dunning.html", {
        **union_context(request, union, "remittance"), "page": paginate(request, items),
        "count": len(items), "total": total, "params": chosen["params"],
        "qs": querystring_without_page(request),
    })


@login_required
def dunning_letters(request: HttpRequest, pk: int) -> HttpResponse:
    """The letters of the dunning list's selection as one PDF (a page per employer), or one
    employer's (`?employer=<id>`). The export is logged."""
    union = access_union(request.user, pk)
    chosen = filters(request)
    employer = request.GET.get("employer", "")
    items = dunning_list(viewer=request.user, union=union, q=chosen["q"], end=chosen["end"],
                         employer_id=int(employer) if employer.isdigit() else None)
    body = dunning_letters_pdf(items)
    audit_record(actor=request.user, action="funds.dunning_letters", obj=None,
                 object_type="funds.union", object_id=str(union.pk), object_repr=union.name,
                 org_path=union.path,
                 after={"employers": [item.employer.pk for item in items],
                        "total": str(sum((item.total for item in items), Decimal("0.00")))})
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="dunning-letters.pdf"'
    return response
