"""Payouts: the list, one payout with its computation and history, review, correction, the
payee's account (registered, and revealed with a stated purpose)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import Outcome, run_service
from gonghui.mutualaid import presenters, selectors, services
from gonghui.mutualaid.forms import AccountForm, ReasonForm, RequeueForm, RevealForm
from gonghui.mutualaid.models import PayeeAccount, Payout, PayoutStatus
from gonghui.mutualaid.permissions import access_payout


@login_required
def payout_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.MUTUALAID_READ)
    params = {k: request.GET.get(k, "").strip()
              for k in ("q", "status", "plan", "year", "no_account")}
    year = int(params["year"]) if params["year"].isdigit() else None
    queryset = selectors.payout_list(viewer=request.user, q=params["q"],
                                     status=params["status"], plan=params["plan"], year=year,
                                     no_account=params["no_account"] == "1")
    return render(request, "mutualaid/payouts.html", {
        "page": paginate(request, queryset), "params": params,
        "statuses": PayoutStatus.choices, "plans": selectors.plan_list(viewer=request.user),
        "qs": querystring_without_page(request)})


def _detail(request: HttpRequest, payout: Payout, *, status: int = 200,
            **extra: Any) -> HttpResponse:
    account = PayeeAccount.objects.filter(person=payout.person, is_current=True).first()
    context = {
        "payout": payout, "lines": presenters.lines(payout.computation),
        "decline": presenters.decline_text(payout.decline),
        "history": selectors.payout_history(payout), "account": account,
        "items": payout.items.select_related("batch").order_by("id"),
        "can_write": has_capability(request.user, Capability.MUTUALAID_WRITE, payout.union),
        "can_reveal": has_capability(request.user, Capability.MUTUALAID_REVEAL, payout.union),
        "reject_form": ReasonForm(), "requeue_form": RequeueForm(), "reveal_form": RevealForm(),
        "account_form": AccountForm(initial={"holder_name": payout.person.name}),
    }
    context.update(extra)
    return render(request, "mutualaid/payout_detail.html", context, status=status)


@login_required
def payout_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, access_payout(request.user, pk))


def _after(request: HttpRequest, payout: Payout, outcome: Outcome[Any],
           **forms: Any) -> HttpResponse:
    """Back to the payout after an action; a refusal shows the page again with its status."""
    if outcome.ok:
        return redirect("mutualaid:payout", payout.pk)
    return _detail(request, payout, status=outcome.status, **forms)


def _invalid(request: HttpRequest, payout: Payout, cap: Capability,
             **forms: Any) -> HttpResponse:
    """An invalid form: 400 with the form shown — after the permission, so that someone who
    may not act learns nothing from the form."""
    require_capability(request.user, cap, payout.union)
    return _detail(request, payout, status=400, **forms)


@login_required
@require_POST
def payout_approve(request: HttpRequest, pk: int) -> HttpResponse:
    payout = access_payout(request.user, pk)
    outcome = run_service(request, lambda: services.payout_approve(
        payout=payout, actor=request.user, note=request.POST.get("note", "")[:500]),
        success=_("已核准，待编入代发批次。"))
    return _after(request, payout, outcome)


@login_required
@require_POST
def payout_reject(request: HttpRequest, pk: int) -> HttpResponse:
    payout = access_payout(request.user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _invalid(request, payout, Capability.MUTUALAID_WRITE, reject_form=form)
    outcome = run_service(request, lambda: services.payout_reject(
        payout=payout, actor=request.user, reason=form.cleaned_data["reason"]), form=form,
        success=_("已驳回，额度已退回会员本年度限额。"))
    return _after(request, payout, outcome, reject_form=form)


@login_required
@require_POST
def payout_requeue(request: HttpRequest, pk: int) -> HttpResponse:
    payout = access_payout(request.user, pk)
    form = RequeueForm(request.POST)
    if not form.is_valid():
        return _invalid(request, payout, Capability.MUTUALAID_WRITE, requeue_form=form)
    outcome = run_service(request, lambda: services.payout_requeue(
        payout=payout, actor=request.user, note=form.cleaned_data["note"],
        account=form.account()), form=form, success=_("已更正，将编入下一个代发批次。"))
    return _after(request, payout, outcome, requeue_form=form)


@login_required
@require_POST
def payee_account(request: HttpRequest, pk: int) -> HttpResponse:
    payout = access_payout(request.user, pk)
    form = AccountForm(request.POST)
    if not form.is_valid():
        return _invalid(request, payout, Capability.MUTUALAID_WRITE, account_form=form)
    outcome = run_service(request, lambda: services.payee_account_set(
        person=payout.person, union=payout.union, actor=request.user, **form.cleaned_data),
        form=form, success=_("收款账户已登记。"))
    return _after(request, payout, outcome, account_form=form)


@login_required
@require_POST
def account_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the full account number of the payout's payee, for the purpose the user typed
    (mutualaid.reveal; the read is logged). Without a purpose: the form again, 400."""
    payout = access_payout(request.user, pk)
    form = RevealForm(request.POST)
    if not form.is_valid():
        require_capability(request.user, Capability.MUTUALAID_REVEAL, payout.union)
        return render(request, "mutualaid/_reveal_form.html", {"payout": payout,
                                                               "reveal_form": form}, status=400)
    outcome = run_service(request, lambda: services.payee_account_reveal(
        payout=payout, actor=request.user, purpose=form.cleaned_data["purpose"]), form=form)
    if not outcome.ok:
        return render(request, "mutualaid/_reveal_form.html", {"payout": payout,
                                                               "reveal_form": form},
                      status=outcome.status)
    return render(request, "mutualaid/_revealed.html", {"number": outcome.value})
