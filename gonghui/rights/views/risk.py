"""Risk watch pages (employers by level, signals, import, weights, alerts) and the dashboard."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.core import clock
from gonghui.core.actor import Actor
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import Outcome, posted, run_service, uploaded
from gonghui.orgs.models import Org
from gonghui.rights import forms, selectors
from gonghui.rights.dashboard import dashboard_figures
from gonghui.rights.models import AlertStatus, Level, RiskWeight, SignalKind
from gonghui.rights.permissions import access_alert, access_employer, access_rights_org
from gonghui.rights.services import risk as risk_svc
from gonghui.rights.views.common import action_page, form_page

W = Capability.RIGHTS_WRITE


@login_required
def risk_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.RIGHTS_READ)
    params = {k: request.GET.get(k, "").strip() for k in ("q", "level", "org")}
    within = access_rights_org(request.user, params["org"]) if params["org"] else None
    rows = selectors.risk_list(viewer=request.user, level=params["level"], q=params["q"],
                               within=within)
    return render(request, "rights/risk_list.html", {
        "page": paginate(request, rows), "params": params, "levels": Level.choices,
        "qs": querystring_without_page(request), "can_write": has_capability(request.user, W),
        "tab": "risk"})


@login_required
def risk_map(request: HttpRequest) -> HttpResponse:
    """The district risk map: each street's employers by level, as heat tiles and a table."""
    require_capability(request.user, Capability.RIGHTS_READ)
    code = request.GET.get("org", "").strip()
    within = (access_rights_org(request.user, code) if code
              else selectors.risk_home_area(request.user))
    areas = selectors.risk_map(viewer=request.user, within=within) if within else []
    top = selectors.risk_home_area(request.user)   # go up no further than the viewer's top
    parent = (Org.objects.get_parent(within) if within is not None and top is not None
              and within.path.startswith(top.path) and within.path != top.path else None)
    totals = [(value, label, sum(dict(a["levels"])[value] for a in areas))
              for value, label in Level.choices]
    return render(request, "rights/risk_map.html", {
        "within": within, "parent": parent, "areas": areas, "totals": totals,
        "levels": Level.choices, "tab": "risk",
        "chart": {"names": [a["name"] for a in areas], "codes": [a["code"] for a in areas],
                  "hot": [a["hot_permille"] / 10 for a in areas],
                  "levels": [[str(label) for _v, label in Level.choices],
                             [[dict(a["levels"])[v] for a in areas] for v, _l in Level.choices]],
                  "list_url": reverse("rights:risk")}})


@login_required
def signal_new(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, W)
    form = forms.SignalForm(posted(request), initial={"on": clock.today()})
    outcome: Outcome | None = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        employer = access_employer(request.user, data.pop("employer"), write=True)
        data["workers"] = data["workers"] or 0
        data["amount"] = data["amount"] or 0
        outcome = run_service(request, lambda: risk_svc.signal_add(
            employer=employer, actor=request.user, **data), form=form,
            success=_("已录入风险信号，风险等级已重新计算。"))
        if outcome.ok:
            return redirect("rights:risk")
    return form_page(request, form, title=_("录入风险信号"), back=reverse("rights:risk"),
                     outcome=outcome)


@login_required
def signal_import(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, W)
    form = forms.SignalImportForm(posted(request), uploaded(request))
    outcome: Outcome | None = None
    if request.method == "POST" and form.is_valid():
        org = access_rights_org(request.user, form.cleaned_data["org"], write=True)
        upload = form.cleaned_data["file"]
        outcome = run_service(request, lambda: risk_svc.signal_import(
            org=org, name=upload.name, data=upload.read(), actor=request.user), form=form)
        if outcome.ok:
            messages.success(request, _("已导入 {n} 条风险信号。").format(n=outcome.value))
            return redirect("rights:risk")
    return form_page(request, form, title=_("导入风险信号"), back=reverse("rights:risk"),
                     outcome=outcome, multipart=True)


@login_required
def weights(request: HttpRequest) -> HttpResponse:
    risk_svc.require_root_policy(request.user)
    form = forms.WeightForm(posted(request))
    outcome: Outcome | None = None
    if request.method == "POST" and form.is_valid():
        actor: Actor = request.user

        def change() -> object:
            row = risk_svc.weight_set(actor=actor, **form.cleaned_data)
            risk_svc.recompute(actor=actor)
            return row

        outcome = run_service(request, change, form=form,
                              success=_("权重已保存，全部单位的风险等级已重新计算。"))
        if outcome.ok:
            return redirect("rights:weights")
    table = risk_svc.weights()
    rows = [(label, table[value][0], int(table[value][1])) for value, label in SignalKind.choices]
    return render(request, "rights/weights.html", {
        "form": form, "rows": rows, "stored": RiskWeight.objects.count(), "tab": "risk"},
        status=400 if form.is_bound and (form.errors or (outcome and not outcome.ok)) else 200)


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.RIGHTS_READ)
    params = {k: request.GET.get(k, "").strip() for k in ("status", "level")}
    rows = selectors.alert_list(viewer=request.user, status=params["status"],
                                level=params["level"])
    return render(request, "rights/alert_list.html", {
        "page": paginate(request, rows), "params": params, "levels": Level.choices,
        "statuses": AlertStatus.choices, "qs": querystring_without_page(request),
        "tab": "alerts"})


@login_required
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = access_alert(request.user, pk)
    return render(request, "rights/alert_detail.html", {
        "alert": alert, "history": alert.history.all(),
        "signals": selectors.signal_list(viewer=request.user, employer=alert.employer)[:50],
        "can_write": (has_capability(request.user, W, alert.employer.area)
                      and alert.status != AlertStatus.CLOSED), "tab": "alerts"})


@login_required
def alert_act(request: HttpRequest, pk: int) -> HttpResponse:
    alert = access_alert(request.user, pk, write=True)
    return action_page(request, alert, "act", reverse("rights:alert", args=[alert.pk]))


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.RIGHTS_READ)
    code = request.GET.get("org", "").strip()
    within = access_rights_org(request.user, code) if code else None
    figures = dashboard_figures(viewer=request.user, within=within)
    return render(request, "rights/dashboard.html", {
        "f": figures, "org_code": code, "tab": "home",
        "can_write": has_capability(request.user, W)})
