"""The public side of 公示: current notices, a notice with its items, the objection form."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import form_status, run_service
from gonghui.notices import selectors, services
from gonghui.notices.forms import ObjectionForm
from gonghui.notices.permissions import access_notice, can_manage


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    params = {k: request.GET.get(k, "").strip() for k in ("q", "state")}
    state = params["state"] if params["state"] in selectors.PUBLIC_STATES else "current"
    queryset = selectors.public_notices(state=state, q=params["q"])
    return render(request, "notices/list.html", {
        "page": paginate(request, queryset), "params": params, "state": state,
        "qs": querystring_without_page(request),
    })


@login_required
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = access_notice(request.user, pk)
    items = selectors.notice_items(notice)
    form = ObjectionForm(request.POST if request.method == "POST" else None, items=items)
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = run_service(request, lambda: services.objection_submit(
            notice=notice, item=form.cleaned_data["item"], text=form.cleaned_data["text"],
            contact=form.cleaned_data["contact"], actor=request.user),
            form=form, success=_("异议已提交，工会将核实处理并答复。"))
        if outcome.ok:
            return redirect("notices:detail", notice.pk)
    q = request.GET.get("q", "").strip()
    return render(request, "notices/detail.html", {
        "notice": notice, "page": paginate(request, selectors.notice_items(notice, q=q),
                                           per_page=50),
        "q": q, "qs": querystring_without_page(request), "form": form,
        "open": services.is_open_for_objections(notice),
        "mine": selectors.my_objections(notice, request.user),
        "can_manage": can_manage(request.user, notice),
    }, status=form_status(form, outcome))
