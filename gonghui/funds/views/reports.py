"""Report pages and their .xlsx / PDF exports: same computation, same scoping."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.funds import exports, reports, selectors
from gonghui.funds.dues_reports import dues_collection
from gonghui.funds.journal_report import journal_report
from gonghui.funds.permissions import access_union
from gonghui.funds.views.ledger import union_context
from gonghui.orgs.models import Org

KINDS = ("income", "trial", "balance", "budget")


REPORT_KINDS = [
    ("income", _("收入支出表")), ("balance", _("资产负债表")), ("trial", _("科目余额表")),
    ("budget", _("预算执行")), ("dues", _("会费收缴率")),
]


def _int(value: str | None, default: int, low: int, high: int) -> int:
    try:
        number = int(value or default)
    except ValueError:
        return default
    return min(max(number, low), high)


def period(request: HttpRequest, kind: str) -> dict[str, int]:
    """The year and months a report covers, defaults filled in: the page shows them selected,
    so the export buttons of the same form send exactly the period on the screen."""
    today = clock.today()
    month_to = _int(request.GET.get("month_to"), 12, 1, 12)
    return {
        "year": _int(request.GET.get("year"), today.year, 2000, 2999),
        "month": _int(request.GET.get("month"), 0, 0, 12) if kind == "dues"
        else _int(request.GET.get("month"), 12, 1, 12),
        "month_from": _int(request.GET.get("month_from"), 1, 1, month_to),
        "month_to": month_to,
    }


def build(request: HttpRequest, union: Org, kind: str) -> reports.Report:
    today = clock.today()
    chosen = period(request, kind)
    year = chosen["year"]
    rollup = request.GET.get("rollup") == "1"
    if kind == "dues":
        return dues_collection(viewer=request.user, org=union, year=year,
                               month=chosen["month"], rollup=rollup)
    if kind == "balance":
        return reports.balance_sheet(viewer=request.user, org=union, year=year, rollup=rollup,
                                     month=chosen["month"])
    if kind == "budget":
        return reports.budget_vs_actual(viewer=request.user, org=union, year=year,
                                        rollup=rollup, upto=today)
    build_range = reports.income_statement if kind == "income" else reports.trial_balance
    return build_range(viewer=request.user, org=union, year=year,
                       month_from=chosen["month_from"], month_to=chosen["month_to"],
                       rollup=rollup)


def export_response(request: HttpRequest, union: Org, result: reports.Report, fmt: str, *,
                    object_id: str) -> HttpResponse:
    """`result` as an .xlsx or PDF download, the export logged."""
    audit_record(actor=request.user, action="funds.export", object_type="funds.report",
                 object_id=object_id, object_repr=f"{result.title} {result.scope_label}",
                 org_path=union.path, note=f"{fmt} {result.period_label}")
    filename = f"{result.title}-{union.code}-{clock.today():%Y%m%d}.{fmt}"
    if fmt == "xlsx":
        body = exports.to_xlsx(result)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = exports.to_pdf(result)
        content_type = "application/pdf"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename) or ""
    return response


@login_required
def journal_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """序时账 .xlsx / PDF of the journal page's filter (dates, source, account, subtree)."""
    union = access_union(request.user, pk)
    if fmt not in ("xlsx", "pdf"):
        raise Http404
    params = {k: request.GET.get(k, "").strip() for k in
              ("q", "date_from", "date_to", "source", "account", "rollup")}
    date_from, date_to = _iso(params["date_from"]), _iso(params["date_to"])
    queryset = selectors.journal(
        viewer=request.user, union=union, q=params["q"], date_from=date_from, date_to=date_to,
        source=params["source"], account=params["account"], rollup=params["rollup"] == "1")
    label = f"{date_from or '…'} – {date_to or '…'}"
    result = journal_report(queryset, org=union, rollup=params["rollup"] == "1",
                            period_label=label)
    return export_response(request, union, result, fmt, object_id="journal")


def _iso(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
def report(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    union = access_union(request.user, pk)
    if kind not in (*KINDS, "dues"):
        raise Http404
    result = build(request, union, kind)
    fmt = request.GET.get("format", "")
    if fmt in ("xlsx", "pdf"):
        return export_response(request, union, result, fmt, object_id=kind)
    return render(request, "funds/report.html", {
        **union_context(request, union, "reports"), "report": result, "kind": kind,
        "params": request.GET, "months": range(1, 13), "report_kinds": REPORT_KINDS,
        "period": period(request, kind),
    })
