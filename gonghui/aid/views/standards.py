"""Pages of the reference data: local 低保 standards (list, edit, import) and the aid policy."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gonghui.accounts.scoping import capabilities_anywhere, is_global, prefixes, scope
from gonghui.aid import selectors
from gonghui.aid.forms import ImportForm, PolicyForm, StandardForm
from gonghui.aid.models import AidPolicy
from gonghui.aid.permissions import access_aid_org, access_standard
from gonghui.aid.services.standards import policy_save, standard_save
from gonghui.aid.services.standards_import import resolve_region, standards_import
from gonghui.core.errors import ApplicationError, NotFound
from gonghui.core.pagination import paginate, querystring_without_page


def _need(request: HttpRequest, cap: str) -> None:
    if cap not in capabilities_anywhere(request.user):
        raise NotFound()


@login_required
def standard_list(request: HttpRequest) -> HttpResponse:
    _need(request, "aid.read")
    params = {k: request.GET.get(k, "").strip() for k in ("q", "year")}
    queryset = selectors.standard_list(viewer=request.user, **params)
    page = paginate(request, queryset)
    writable = prefixes(request.user, "policy.write")
    for row in page:
        row.can_edit = is_global(request.user) or any(row.org_path.startswith(p)
                                                      for p in writable)
    policies = scope(AidPolicy.objects.select_related("org"), request.user, "aid.read",
                     path_field="org_path").order_by("org_path")
    return render(request, "aid/standards.html", {
        "page": page, "params": params, "policies": policies,
        "qs": querystring_without_page(request),
        "can_write": "policy.write" in capabilities_anywhere(request.user), "tab": "standards",
    })


def _save(request: HttpRequest, form: StandardForm) -> bool:
    data = form.cleaned_data
    try:
        org = resolve_region(data["org"])
        access_aid_org(request.user, org.pk)
        _row, outcome = standard_save(org=org, year=data["year"],
                                      monthly_line=data["monthly_line"], actor=request.user,
                                      effective_from=data["effective_from"],
                                      source=data["source"])
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return False
    messages.success(request, {"created": _("已录入。"), "updated": _("已更新，受影响的档案已标记待复核。"),
                               "unchanged": _("没有变化。")}[outcome])
    return True


@login_required
def standard_new(request: HttpRequest) -> HttpResponse:
    _need(request, "policy.write")
    form = StandardForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _save(request, form):
        return redirect("aid:standards")
    return render(request, "aid/form.html", {"form": form, "title": _("录入低保标准"),
                                             "back": "aid:standards", "tab": "standards"})


@login_required
def standard_edit(request: HttpRequest, pk: int) -> HttpResponse:
    row = access_standard(request.user, pk, write=True)
    form = StandardForm(request.POST or None, initial={
        "org": row.org.code, "year": row.year, "monthly_line": row.monthly_line,
        "effective_from": row.effective_from, "source": row.source})
    if request.method == "POST" and form.is_valid():
        form.cleaned_data["org"], form.cleaned_data["year"] = row.org.code, row.year
        if _save(request, form):
            return redirect("aid:standards")
    return render(request, "aid/form.html", {
        "form": form, "title": _("修改低保标准：{org} {year} 年度").format(org=row.org.name,
                                                                   year=row.year),
        "intro": _("修改后，受影响的在档档案会被标记为待复核，困难类别不会自动改变。"),
        "back": "aid:standards", "tab": "standards"})


@login_required
def standard_import(request: HttpRequest) -> HttpResponse:
    _need(request, "policy.write")
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["upload"]
        try:
            report = standards_import(upload=upload, filename=upload.name, actor=request.user)
        except ApplicationError as exc:
            form.add_error("upload", exc.message)
    return render(request, "aid/standards_import.html", {"form": form, "report": report,
                                                         "tab": "standards"})


@login_required
def policy_edit(request: HttpRequest) -> HttpResponse:
    _need(request, "policy.write")
    code = request.GET.get("org", "") or request.POST.get("org", "")
    target = access_aid_org(request.user, code) if code else None
    existing = AidPolicy.objects.filter(org=target).first() if target else None
    initial = {"org": code}
    if existing is not None:
        initial.update({f: getattr(existing, f) for f in (
            "relative_multiple", "exit_months", "review_months", "followup_months",
            "watch_months")})
    form = PolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            org = access_aid_org(request.user, data.pop("org"))
            policy_save(org=org, actor=request.user, **data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已保存帮扶政策参数。"))
            return redirect("aid:standards")
    return render(request, "aid/form.html", {
        "form": form, "title": _("帮扶政策参数"), "back": "aid:standards", "tab": "standards",
        "intro": _("适用于该组织及其下级；下级另有设置的以下级为准。调整倍数后受影响的档案会被标记待复核。")})
