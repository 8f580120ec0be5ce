"""Pages of third-party scores, weights and the ranking of unions by yearly score."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.accounts.scoping import scope
from gonghui.core import clock
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import form_status, posted, run_service, uploaded
from gonghui.evaluation import selectors
from gonghui.evaluation.forms import ImportForm, ThirdPartyForm, WeightsForm
from gonghui.evaluation.models import ThirdPartyScore
from gonghui.evaluation.permissions import require_evaluation_page, writable_orgs
from gonghui.evaluation.services import scores as svc
from gonghui.evaluation.views.common import int_param
from gonghui.orgs.models import Level, Org

READ, WRITE = Capability.EVALUATION_READ, Capability.EVALUATION_WRITE


@login_required
def third_party(request: HttpRequest) -> HttpResponse:
    """The list of scores; POST enters one score (evaluation.write over the union)."""
    if request.method == "POST":
        require_capability(request.user, WRITE)
    else:
        require_evaluation_page(request.user)
    orgs = writable_orgs(request.user)
    form = ThirdPartyForm(posted(request), orgs=orgs, initial={"year": clock.today().year})
    outcome = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        outcome = run_service(request, lambda: svc.third_party_set(
            org=d["org"], year=d["year"], evaluator=d["evaluator"], score=d["score"],
            actor=request.user), form=form, success=_("第三方评估得分已保存。"))
        if outcome.ok:
            return redirect("evaluation:third_party")
    params = {"q": request.GET.get("q", "").strip(), "year": int_param(request, "year")}
    rows = scope(ThirdPartyScore.objects.select_related("org"), request.user, READ,
                 path_field="org_path").order_by("-year", "org_path")
    q, year = request.GET.get("q", "").strip(), int_param(request, "year")
    if q:
        rows = rows.filter(org__name__icontains=q)
    if year:
        rows = rows.filter(year=year)
    return render(request, "evaluation/third_party.html", {
        "tab": "scores", "form": form, "page": paginate(request, rows), "params": params,
        "qs": querystring_without_page(request),
        "can_write": has_capability(request.user, WRITE),
        "import_form": ImportForm(orgs=orgs)}, status=form_status(form, outcome))


@login_required
def third_party_import(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, WRITE)
    form = ImportForm(posted(request), uploaded(request), orgs=writable_orgs(request.user))
    outcome = None
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        outcome = run_service(request, lambda: svc.third_party_import(
            root=form.cleaned_data["org"], data=upload.read(), filename=upload.name or "",
            actor=request.user), form=form)
        if outcome.ok and outcome.value is not None:
            report = outcome.value
            if not report.errors:
                return redirect("evaluation:third_party")
    status = form_status(form, outcome)
    if report is not None and report.errors:
        status = 400
    return render(request, "evaluation/import.html", {
        "tab": "scores", "form": form, "report": report}, status=status)


@login_required
def weights(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, WRITE)
    orgs = writable_orgs(request.user).exclude(level__in=[Level.GRASSROOTS, Level.BRANCH])
    form = WeightsForm(posted(request), orgs=orgs, initial={"year": clock.today().year})
    outcome = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        outcome = run_service(request, lambda: svc.weights_set(
            org=d["org"], year=d["year"], self_weight=d["self_weight"],
            satisfaction_weight=d["satisfaction_weight"],
            third_party_weight=d["third_party_weight"], actor=request.user), form=form,
            success=_("权重已保存。"))
        if outcome.ok:
            return redirect("evaluation:ranking")
    return render(request, "evaluation/form.html", {
        "form": form, "title": _("年度综合得分权重"), "tab": "scores"},
        status=form_status(form, outcome))


@login_required
def ranking(request: HttpRequest) -> HttpResponse:
    require_evaluation_page(request.user)
    roots = scope(Org.objects.filter(status="active"), request.user, READ).exclude(
        level__in=[Level.GRASSROOTS, Level.BRANCH]).order_by("path")
    code = request.GET.get("org", "")
    root = roots.filter(code=code).first() or roots.first()
    year = int_param(request, "year") or clock.today().year
    weights, rows = selectors.ranking(root=root, year=year) if root else (None, [])
    return render(request, "evaluation/ranking.html", {
        "tab": "scores", "roots": roots[:200], "root": root, "year": year,
        "weights": weights, "rows": rows,
        "can_write": has_capability(request.user, WRITE)})
