"""The cadre workbench: member list and detail, add/edit, lifecycle, reveal, transfers, lapse.

Views parse, reach the object through `permissions.access_*`, and call the service through
`core.views.run_service`; a refused action shows its page again with 400 (409 for a conflict).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.core import clock
from gonghui.core.errors import NotFound
from gonghui.core.pagination import PER_PAGE_CHOICES, BudgetPaginator, querystring_without_page
from gonghui.core.views import Outcome, form_status, run_service
from gonghui.members import selectors, services
from gonghui.members.choices import Gender, NewEmploymentGroup
from gonghui.members.forms import (
    LapseContactForm,
    MemberAddForm,
    MemberEditForm,
    ReasonForm,
    RevealForm,
    StatusForm,
    TransferStartForm,
)
from gonghui.members.models import Membership, MembershipStatus, TransferStatus
from gonghui.members.permissions import access_membership, access_transfer
from gonghui.members.services import saved_filters
from gonghui.orgs.models import Org
from gonghui.orgs.permissions import access_org
from gonghui.orgs.picker import PickError, resolve_org


def _page(request: HttpRequest, queryset: Any, *, known_count: int | None = None,
          keyed: bool = False) -> Page:
    """A page of a member list: the total from the counters when unfiltered, else counted within
    the budget (core.pagination.BudgetPaginator); `keyed`: rows read keys first."""
    try:
        size = int(request.GET.get("per_page", 25))
    except ValueError:
        size = 25
    if size not in PER_PAGE_CHOICES:
        size = 25
    return BudgetPaginator(queryset, size, known_count=known_count, keyed=keyed,
                           page_hint=request.GET.get("page")).get_page(request.GET.get("page"))


def _back(request: HttpRequest, name: str, *args: Any) -> HttpResponse:
    """Back to the page the form came from (a local `next`), else to `name`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(name, *args)


def within_org(request: HttpRequest) -> Org | None:
    """The `?org=` filter of the list pages: an org whose members the viewer may read, picked in
    the org picker or typed as a code, name or short name. An existing code outside the viewer's
    subtrees is the 404 page (the one policy); a name that matches no visible org, or several,
    is a message and no filter — never the 404 page (issue 12 item 4)."""
    text = request.GET.get("org", "").strip()
    if not text:
        return None
    if Org.objects.filter(code=text.upper()).exists():
        org = access_org(request.user, text.upper())
        require_capability(request.user, Capability.MEMBER_READ, org)
        return org
    try:
        return resolve_org(viewer=request.user, text=text, purpose="members")
    except PickError as exc:
        messages.error(request, exc.message)
        return None


def list_filters(request: HttpRequest) -> tuple[Org | None, dict[str, Any]]:
    """The member list's filters of the request — the page, its export and its saved filters
    read them here: (the `org` filter, the selector's keyword arguments)."""
    within = within_org(request)
    params: dict[str, Any] = {k: request.GET.get(k, "").strip()
                              for k in ("q", "status", "new_employment", "gender", "age",
                                        "seniority")}
    params["flagged"] = request.GET.get("flagged") == "1"
    return within, params


@login_required
def member_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.MEMBER_READ)
    within, params = list_filters(request)
    queryset = selectors.member_list(viewer=request.user, within=within, **params)
    known = selectors.member_list_count(viewer=request.user, within=within, **params)
    chips = [(f, saved_filters.querystring(f))
             for f in saved_filters.saved_filters(user=request.user)]
    return render(request, "members/list.html", {
        "page": _page(request, queryset, known_count=known, keyed=True), "params": params, "within": within,
        "flagged": params["flagged"], "statuses": MembershipStatus.choices,
        "saved_filters": chips, "filter_qs": querystring_without_page(request),
        "has_filters": bool(saved_filters.filter_params(request.GET)),
        "groups": [(v, label) for v, label in NewEmploymentGroup.choices if v],
        "genders": Gender.choices, "age_bands": selectors.age_bands(),
        "seniority_bands": selectors.seniority_bands(),
        "qs": querystring_without_page(request),
        "can_add": has_capability(request.user, Capability.MEMBER_WRITE),
    })


@login_required
def member_add(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.MEMBER_WRITE)
    unions = selectors.writable_unions(viewer=request.user)
    initial = {"union": request.GET.get("union", "")}
    form = MemberAddForm(request.POST if request.method == "POST" else None, unions=unions,
                         initial=initial)
    if request.method == "POST" and form.is_valid():
        outcome = run_service(request, lambda: services.member_add(
            union=access_org(request.user, form.cleaned_data["union"]),
            fields=form.person_fields(), actor=request.user,
            joined_on=form.cleaned_data["joined_on"]), form=form)
        if outcome.ok and outcome.value is not None:
            messages.success(request, _("已添加会员，会员证号 {card}。").format(
                card=outcome.value.card_number))
            return redirect("members:detail", outcome.value.pk)
        return render(request, "members/form.html", {"form": form, "title": _("添加会员")},
                      status=form_status(form, outcome))
    return render(request, "members/form.html", {"form": form, "title": _("添加会员")},
                  status=form_status(form))


def _detail(request: HttpRequest, membership: Membership, *, status: int = 200,
            **forms: Any) -> HttpResponse:
    """The member page; an action refused or invalid shows it again with its bound form."""
    union = membership.union
    context = {
        "m": membership, "person": membership.person,
        "history": selectors.membership_history(viewer=request.user, membership=membership),
        "memberships": selectors.person_memberships(viewer=request.user, membership=membership),
        "transfers": membership.transfers.select_related("from_union", "to_union")
        .order_by("-created_at"),
        "contacts": membership.contacts.order_by("-at"),
        "can_write": has_capability(request.user, Capability.MEMBER_WRITE, union),
        "can_reveal": has_capability(request.user, Capability.MEMBER_REVEAL, union),
        "status_form": StatusForm(), "transfer_form": TransferStartForm(),
        "reveal_form": RevealForm(), "contact_form": LapseContactForm(),
        "reason_form": ReasonForm(),
    }
    context.update(forms)
    return render(request, "members/detail.html", context, status=status)


@login_required
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, access_membership(request.user, pk))


@login_required
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership = access_membership(request.user, pk, write=True)
    person = membership.person
    initial = {name: getattr(person, name) for name in MemberEditForm.base_fields
               if hasattr(person, name)}
    form = MemberEditForm(request.POST if request.method == "POST" else None, initial=initial)
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = run_service(request, lambda: services.member_update(
            membership=membership, fields=form.person_fields(), actor=request.user,
            reason=form.cleaned_data["reason"]), form=form, success=_("已保存。"))
        if outcome.ok:
            return redirect("members:detail", membership.pk)
    return render(request, "members/form.html", {
        "form": form, "title": _("编辑会员信息"), "membership": membership},
        status=form_status(form, outcome))


@login_required
@require_POST
def member_status(request: HttpRequest, pk: int) -> HttpResponse:
    membership = access_membership(request.user, pk, write=True)
    form = StatusForm(request.POST)
    # the form sits in a dialog: what went wrong is flashed above the page shown again
    if not form.is_valid():
        messages.error(request, _("请选择状态并填写原因。"))
        return _detail(request, membership, status=400, status_form=form)
    outcome = run_service(request, lambda: services.membership_set_status(
        membership=membership, target=form.cleaned_data["target"], actor=request.user,
        reason=form.cleaned_data["reason"], on=form.cleaned_data["on"]),
        success=_("状态已更新。"))
    if not outcome.ok:
        return _detail(request, membership, status=outcome.status, status_form=form)
    return redirect("members:detail", pk)


@login_required
@require_POST
def member_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: the full ID number in place of the masked one, after logging the read with the
    purpose the cadre typed (the service checks the right first, then asks for the purpose)."""
    membership = access_membership(request.user, pk)
    form = RevealForm(request.POST)  # takes the refusal (the fragment shows it, not a flash)
    # field=phone: the phone number, masked like the ID number (issue 12 item 14)
    phone = request.POST.get("field") == "phone"
    reveal_service = services.phone_reveal if phone else services.id_number_reveal
    template = "members/_reveal_phone.html" if phone else "members/_reveal.html"
    outcome = run_service(request, lambda: reveal_service(
        membership=membership, actor=request.user, purpose=request.POST.get("purpose", "")),
        form=form)
    if not outcome.ok:
        error = outcome.error.message if outcome.error is not None else ""
        return render(request, template, {"m": membership, "error": error},
                      status=outcome.status)
    return render(request, template, {"m": membership, "number": outcome.value})


@login_required
@login_required
def transfer_start(request: HttpRequest, pk: int) -> HttpResponse:
    membership = access_membership(request.user, pk, write=True)
    form = TransferStartForm(request.POST if request.method == "POST" else None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["to_union"].strip().upper()
        target = selectors.member_unions().filter(code=code).first()
        if target is None:
            form.add_error("to_union", _("没有代码为 {code} 的可接收会员的工会。").format(code=code))
        else:
            outcome = run_service(request, lambda: services.transfer_start(
                membership=membership, to_union=target, actor=request.user,
                reason=form.cleaned_data["reason"],
                new_employer=form.cleaned_data["new_employer"]), form=form,
                success=_("已发起转会，等待“{name}”接收。").format(name=target.name))
            if outcome.ok:
                return redirect("members:detail", membership.pk)
    return render(request, "members/transfer_form.html", {"form": form, "m": membership},
                  status=form_status(form, outcome))


@login_required
def transfer_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.MEMBER_READ)
    direction = "out" if request.GET.get("direction") == "out" else "in"
    status = request.GET.get("status", TransferStatus.PENDING)
    q = request.GET.get("q", "").strip()
    queryset = selectors.transfer_list(viewer=request.user, direction=direction, status=status,
                                       q=q)
    return render(request, "members/transfers.html", {
        "page": _page(request, queryset), "direction": direction, "status": status, "q": q,
        "statuses": TransferStatus.choices, "qs": querystring_without_page(request),
        "can_bulk": has_capability(request.user, Capability.MEMBER_WRITE), "today": clock.today(),
    })


def _transfer_action(request: HttpRequest, transfer: Any, action: str) -> Any:
    reason = request.POST.get("reason", "")[:500]
    if action == "accept":
        return services.transfer_accept(transfer=transfer, actor=request.user, note=reason)
    if action == "decline":
        return services.transfer_decline(transfer=transfer, actor=request.user, reason=reason)
    return services.transfer_cancel(transfer=transfer, actor=request.user, reason=reason)


@login_required
@require_POST
def transfer_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ("accept", "decline", "cancel"):
        raise NotFound()
    transfer = access_transfer(request.user, pk, side="from" if action == "cancel" else "to")
    outcome = run_service(request, lambda: _transfer_action(request, transfer, action))
    if not outcome.ok:
        response = transfer_list(request)
        response.status_code = outcome.status
        return response
    new = outcome.value
    if action == "accept" and new is not None:
        messages.success(request, _("已接收，新会员证号 {card}。").format(card=new.card_number))
        return redirect("members:detail", new.pk)
    messages.success(request, _("已拒绝接收。") if action == "decline" else _("已撤销转会。"))
    return _back(request, "members:transfers")


@login_required
def lapse_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.MEMBER_READ)
    within = within_org(request)
    queryset = selectors.lapse_watch(viewer=request.user, within=within)
    return render(request, "members/lapse.html", {
        "page": _page(request, queryset), "within": within,
        "qs": querystring_without_page(request), "contact_form": LapseContactForm(),
    })


@login_required
@require_POST
def lapse_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ("contact", "confirm", "clear"):
        raise NotFound()
    membership = access_membership(request.user, pk, write=True)
    reason = request.POST.get("reason", "")
    outcome: Outcome[Any]
    if action == "contact":
        form = LapseContactForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请填写联系方式并选择结果。"))
            return _detail(request, membership, status=400, contact_form=form)
        outcome = run_service(request, lambda: services.lapse_contact_record(
            membership=membership, actor=request.user, **form.cleaned_data),
            success=_("已记录联系情况。"))
        if not outcome.ok:
            return _detail(request, membership, status=outcome.status, contact_form=form)
    elif action == "confirm":
        outcome = run_service(request, lambda: services.lapse_confirm(
            membership=membership, actor=request.user, reason=reason),
            success=_("已确认自动退会。"))
    else:
        outcome = run_service(request, lambda: services.lapse_clear(
            membership=membership, actor=request.user, reason=reason),
            success=_("已解除预警。"))
    if not outcome.ok:
        return _detail(request, membership, status=outcome.status)
    return _back(request, "members:detail", pk)


@login_required
def org_stats(request: HttpRequest, org_pk: int) -> HttpResponse:
    """htmx panel on the org page: the subtree's members, this month's joins and exits."""
    org = access_org(request.user, org_pk)
    require_capability(request.user, Capability.STATS_READ, org)
    today = clock.today()
    return render(request, "members/_org_stats.html", {
        "org": org, "stats": selectors.member_stats(org=org, today=today), "today": today,
        "can_list": has_capability(request.user, Capability.MEMBER_READ, org),
    })
