from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.scoping import can
from gonghui.core.errors import ApplicationError
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.mutualaid import presenters, selectors, services
from gonghui.mutualaid.forms import AccountForm, ReasonForm, RequeueForm
from gonghui.mutualaid.models import PayeeAccount, PayoutStatus
from gonghui.mutualaid.permissions import access_payout


@login_required
def payout_list(request: HttpRequest) -> HttpResponse:
    params = {k: request.GET.get(k, "").strip() for k in ("q", "status", "plan", "year")}
    year = int(params["year"]) if params["year"].isdigit() else None
    queryset = selectors.payout_list(viewer=request.user, q=params["q"],
                                     status=params["status"], plan=params["plan"], year=year)
    return render(request, "mutualaid/payouts.html", {
        "page": paginate(request, queryset), "params": params,
        "statuses": PayoutStatus.choices, "plans": selectors.plan_list(viewer=request.user),
        "qs": querystring_without_page(request)})


def _detail(request: HttpRequest, payout, **extra) -> HttpResponse:
    account = PayeeAccount.objects.filter(person=payout.person, is_current=True).first()
    context = {
        "payout": payout, "lines": presenters.lines(payout.computation),
        "decline": presenters.decline_text(payout.decline),
        "history": selectors.payout_history(payout), "account": account,
        "items": payout.items.select_related("batch").order_by("id"),
        "can_write": can(request.user, payout.union, "mutualaid.write"),
        "reject_form": ReasonForm(), "requeue_form": RequeueForm(),
        "account_form": AccountForm(initial={"holder_name": payout.person.name}),
    }
    context.update(extra)
    return render(request, "mutualaid/payout_detail.html", context)


@login_required
def payout_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, access_payout(request.user, pk))


def _act(request: HttpRequest, pk: int, action) -> HttpResponse:
    payout = access_payout(request.user, pk, write=True)
    try:
        message = action(payout)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, message)
    return redirect("mutualaid:payout", payout.pk)


@login_required
@require_POST
def payout_approve(request: HttpRequest, pk: int) -> HttpResponse:
    def act(payout):
        services.payout_approve(payout=payout, actor=request.user,
                                note=request.POST.get("note", "")[:500])
        return _("已核准，待编入代发批次。")
    return _act(request, pk, act)


@login_required
@require_POST
def payout_reject(request: HttpRequest, pk: int) -> HttpResponse:
    payout = access_payout(request.user, pk, write=True)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _detail(request, payout, reject_form=form)

    def act(p):
        services.payout_reject(payout=p, actor=request.user, reason=form.cleaned_data["reason"])
        return _("已驳回，额度已退回会员本年度限额。")
    return _act(request, pk, act)


@login_required
@require_POST
def payout_requeue(request: HttpRequest, pk: int) -> HttpResponse:
    payout = access_payout(request.user, pk, write=True)
    form = RequeueForm(request.POST)
    if not form.is_valid():
        return _detail(request, payout, requeue_form=form)

    def act(p):
        services.payout_requeue(payout=p, actor=request.user, note=form.cleaned_data["note"],
                                account=form.account())
        return _("已更正，将编入下一个代发批次。")
    try:
        return _act(request, pk, act)
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return _detail(request, payout, requeue_form=form)


@login_required
@require_POST
def payee_account(request: HttpRequest, pk: int) -> HttpResponse:
    payout = access_payout(request.user, pk, write=True)
    form = AccountForm(request.POST)
    if form.is_valid():
        try:
            services.payee_account_set(person=payout.person, actor=request.user,
                                       **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error("account_number", exc.message)
        else:
            messages.success(request, _("收款账户已登记。"))
            return redirect("mutualaid:payout", payout.pk)
    return _detail(request, payout, account_form=form)


@login_required
@require_POST
def account_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the full account number of the payout's payee, after logging the read."""
    payout = access_payout(request.user, pk, write=True)
    account = PayeeAccount.objects.filter(person=payout.person, is_current=True).first()
    if account is None:
        return HttpResponse(status=404)
    number = services.payee_account_reveal(account=account, actor=request.user,
                                           purpose=_("核对给付 {ref} 的收款账户").format(
                                               ref=payout.reference))
    return render(request, "mutualaid/_revealed.html", {"number": number})
