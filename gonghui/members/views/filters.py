"""The member list's saved filters (常用筛选: save the current filters under a name, delete one)
and its export of the filtered list (导出筛选结果: the same filters, the same selector, ID numbers
and phones masked; the full roster export with revealed numbers is the roster app's)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.sheets import safe_row
from gonghui.core.views import run_service
from gonghui.members import selectors
from gonghui.members.seniority import seniority_years
from gonghui.members.services import saved_filters
from gonghui.members.views.cadre import list_filters

EXPORT_CHUNK = 2000


def _list_url(query: str) -> str:
    return reverse("members:list") + (f"?{query}" if query else "")


@login_required
@require_POST
def saved_filter_save(request: HttpRequest) -> HttpResponse:
    """Save the filters the list was showing (sent back as the form's `qs`)."""
    query = request.POST.get("qs", "")
    values = QueryDict(query)
    outcome = run_service(request, lambda: saved_filters.saved_filter_save(
        actor=request.user, name=request.POST.get("name", ""), values=values),
        success=_("已保存为常用筛选。"))
    if not outcome.ok:
        return redirect(_list_url(query))
    return redirect(_list_url(saved_filters.querystring(outcome.value)))  # type: ignore[arg-type]


@login_required
@require_POST
def saved_filter_delete(request: HttpRequest, pk: int) -> HttpResponse:
    saved_filters.saved_filter_delete(actor=request.user, filter_id=pk)
    messages.success(request, _("常用筛选已删除。"))
    return redirect("members:list")


def _rows(queryset: Any) -> Iterator[list[Any]]:
    today = clock.today()
    yield [_("姓名"), _("身份证号码"), _("性别"), _("手机号"), _("所在工会"), _("工会代码"),
           _("入会日期"), _("会龄起算日"), _("会龄（年）"), _("状态"), _("会员证号")]
    for m in queryset.iterator(chunk_size=EXPORT_CHUNK):
        p = m.person
        yield [p.name, p.masked_id, p.get_gender_display(), p.masked_phone, m.union.name,
               m.union.code, m.joined_on.isoformat(), m.seniority_since.isoformat(),
               seniority_years(m, today), m.get_status_display(), m.card_number or ""]


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
def member_export(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered member list as CSV (UTF-8 with BOM, opens in Excel), audited with the
    filters used."""
    require_capability(request.user, Capability.MEMBER_READ)
    within, params = list_filters(request)
    queryset = selectors.member_list(viewer=request.user, within=within, **params)
    audit_record(actor=request.user, action="members.list_export",
                 org_path=within.path if within is not None else "",
                 object_type="members.membership",
                 after={"filters": saved_filters.filter_params(request.GET),
                        "search": bool(params["q"])})
    writer = csv.writer(_Echo())
    lines = (writer.writerow(safe_row(row)) for row in _rows(queryset))
    response = StreamingHttpResponse(_with_bom(lines), content_type="text/csv; charset=utf-8")
    name = f"members-{clock.today():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _with_bom(lines: Iterator[str]) -> Iterator[str]:
    yield "\ufeff"
    yield from lines
