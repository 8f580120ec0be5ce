"""The working-day calendar's administration page: a year's special days, the overrides (list,
add, delete, import). POLICY_WRITE anywhere to see it; over the tree's root to change it."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.core import clock
from gonghui.core import workdays as calendar
from gonghui.core.pagination import paginate, querystring_without_page
from gonghui.core.views import form_status, run_service
from gonghui.notices import selectors
from gonghui.notices import workdays as services
from gonghui.notices.forms import WorkdayForm, WorkdayImportForm


def _year(value: str) -> int:
    return int(value) if value.isdigit() and len(value) == 4 else clock.today().year


@login_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.POLICY_WRITE)
    form = WorkdayForm(request.POST if request.method == "POST" else None)
    outcome = None
    if request.method == "POST":
        services.require_calendar_admin(request.user)
        if form.is_valid():
            data = form.cleaned_data
            outcome = run_service(request, lambda: services.workday_override_set(
                day=data["date"], kind=data["kind"], note=data["note"], actor=request.user),
                form=form, success=_("已保存。"))
            if outcome.ok:
                return redirect(f"{request.path}?year={data['date'].year}")
    return _render(request, form=form, import_form=WorkdayImportForm(),
                   status=form_status(form, outcome))


def _render(request: HttpRequest, *, form: WorkdayForm, import_form: WorkdayImportForm,
            status: int) -> HttpResponse:
    year = _year(request.GET.get("year", ""))
    params = {k: request.GET.get(k, "").strip() for k in ("q", "kind")}
    try:
        special = calendar.year_days(year)
        unknown = ""
    except calendar.UnknownCalendarYear as exc:
        special, unknown = [], exc.message
    first, last = calendar.library_years()
    overrides = selectors.workday_overrides(year=year, kind=params["kind"], q=params["q"])
    return render(request, "notices/workdays.html", {
        "year": year, "years": range(first, max(last, clock.today().year) + 2),
        "special": special, "unknown": unknown, "library": (first, last),
        "page": paginate(request, overrides, per_page=50), "params": params,
        "qs": querystring_without_page(request), "form": form, "import_form": import_form,
    }, status=status)


@login_required
@require_POST
def delete_override(request: HttpRequest, day: str) -> HttpResponse:
    services.require_calendar_admin(request.user)
    try:
        date = dt.date.fromisoformat(day)
    except ValueError:
        messages.error(request, _("日期格式不正确。"))
        return redirect("workdays:calendar")
    run_service(request, lambda: services.workday_override_delete(day=date, actor=request.user),
                success=_("已删除。"))
    return redirect(f"{reverse('workdays:calendar')}?year={date.year}")


@login_required
@require_POST
def import_file(request: HttpRequest) -> HttpResponse:
    services.require_calendar_admin(request.user)
    form = WorkdayImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, form=WorkdayForm(), import_form=form, status=400)
    upload = form.cleaned_data["file"]
    outcome = run_service(request, lambda: services.workday_import(
        name=upload.name, data=upload.read(), actor=request.user))
    if outcome.ok and outcome.value is not None:
        result = outcome.value
        if result.errors:
            for row, message in result.errors[:20]:
                messages.error(request, _("第 {row} 行：{message}").format(row=row, message=message)
                               if row else message)
            messages.warning(request, _("文件有误，未导入任何数据。"))
        else:
            messages.success(request, _("已导入：新增 {c} 天，更新 {u} 天。").format(
                c=result.created, u=result.updated))
    return redirect("workdays:calendar")
