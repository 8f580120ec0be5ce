"""Pages of the reference data: local 低保 standards (list, edit, import) and the aid policy."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.aid import selectors
from gonghui.aid.forms import ImportForm, PolicyForm, StandardForm
from gonghui.aid.models import AidPolicy, LocalStandard
from gonghui.aid.permissions import access_aid_org, access_standard
from gonghui.aid.services.standards import policy_save, standard_save
from gonghui.aid.services.standards_import import resolve_region, standards_import
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import Outcome, form_status, posted, run_service, uploaded


def _saved(outcome: str) -> str:
    return {"created": _("已录入。"), "updated": _("已更新，受影响的档案已标记待复核。"),
            "unchanged": _("没有变化。")}[outcome]


@login_required
def standard_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.AID_READ)
    params = {k: request.GET.get(k, "").strip() for k in ("q", "year")}
    queryset = selectors.standard_list(viewer=request.user, **params)
    page = paginate(request, queryset)
    selectors.mark_editable_standards(page, viewer=request.user)
    return render(request, "aid/standards.html", {
        "page": page, "params": params, "policies": selectors.policy_list(viewer=request.user),
        "qs": querystring_without_page(request),
        "can_write": has_capability(request.user, Capability.POLICY_WRITE), "tab": "standards",
    })


def _save(request: HttpRequest, form: StandardForm) -> Outcome[Any]:
    data = form.cleaned_data

    def save() -> tuple[LocalStandard, str]:
        # standard_save checks policy.write over the region (404 outside the user's subtrees)
        return standard_save(org=resolve_region(data["org"]), year=data["year"],
                             monthly_line=data["monthly_line"],
                             actor=request.user, effective_from=data["effective_from"],
                             source=data["source"])

    outcome = run_service(request, save, form=form)
    if outcome.ok and outcome.value is not None:
        messages.success(request, _saved(outcome.value[1]))
    return outcome


@login_required
def standard_new(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.POLICY_WRITE, read=Capability.AID_READ)
    form = StandardForm(posted(request))
    outcome = None
    if request.method == "POST" and form.is_valid():
        outcome = _save(request, form)
        if outcome.ok:
            return redirect("aid:standards")
    return render(request, "aid/form.html", {"form": form, "title": _("录入低保标准"),
                                             "back": "aid:standards", "tab": "standards"},
                  status=form_status(form, outcome))


@login_required
def standard_edit(request: HttpRequest, pk: int) -> HttpResponse:
    row = access_standard(request.user, pk, write=True)
    form = StandardForm(posted(request), initial={
        "org": row.org.code, "year": row.year, "monthly_line": row.monthly_line,
        "effective_from": row.effective_from, "source": row.source})
    outcome = None
    if request.method == "POST" and form.is_valid():
        form.cleaned_data["org"], form.cleaned_data["year"] = row.org.code, row.year
        outcome = _save(request, form)
        if outcome.ok:
            return redirect("aid:standards")
    return render(request, "aid/form.html", {
        "form": form, "title": _("修改低保标准：{org} {year} 年度").format(org=row.org.name,
                                                                   year=row.year),
        "intro": _("修改后，受影响的在档档案会被标记为待复核，困难类别不会自动改变。"),
        "back": "aid:standards", "tab": "standards"}, status=form_status(form, outcome))


@login_required
def standard_import(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.POLICY_WRITE, read=Capability.AID_READ)
    form = ImportForm(posted(request), uploaded(request))
    outcome = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["upload"]
        outcome = run_service(request, lambda: standards_import(
            upload=upload, filename=upload.name, actor=request.user), form=form)
    report = outcome.value if outcome is not None and outcome.ok else None
    return render(request, "aid/standards_import.html", {"form": form, "report": report,
                                                         "tab": "standards"},
                  status=form_status(form, outcome))


@login_required
def policy_edit(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.POLICY_WRITE, read=Capability.AID_READ)
    code = request.GET.get("org", "") or request.POST.get("org", "")
    target = access_aid_org(request.user, code) if code else None
    existing = AidPolicy.objects.filter(org=target).first() if target else None
    initial: dict[str, Any] = {"org": code}
    if existing is not None:
        initial.update({f: getattr(existing, f) for f in (
            "relative_multiple", "exit_months", "review_months", "followup_months",
            "watch_months")})
    form = PolicyForm(posted(request), initial=initial)
    outcome = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        outcome = run_service(request, lambda: policy_save(
            org=access_aid_org(request.user, data.pop("org")), actor=request.user, **data),
            form=form, success=_("已保存帮扶政策参数。"))
        if outcome.ok:
            return redirect("aid:standards")
    return render(request, "aid/form.html", {
        "form": form, "title": _("帮扶政策参数"), "back": "aid:standards", "tab": "standards",
        "intro": _("适用于该组织及其下级；下级另有设置的以下级为准。调整倍数后受影响的档案会被标记待复核。")},
        status=form_status(form, outcome))
