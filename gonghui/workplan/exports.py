"""The plan with its status for the leadership meeting, and a department's own task list:
.xlsx (xlsxwriter) and PDF (WeasyPrint, Noto CJK). Built from a `Supervision`, so an export
reads exactly what the supervision view shows, in the same five queries."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from gonghui.core.sheets import XLSXWRITER_OPTIONS, SafeSheet
from gonghui.workplan.models import Department
from gonghui.workplan.rules import HEALTH_COLOURS, HEALTH_ORDER, Health
from gonghui.workplan.supervision import Supervision

LIGHT = {Health.OVERDUE: "#f8d7da", Health.AT_RISK: "#ffe5d0", Health.ON_TRACK: "#cfe2ff",
         Health.DONE: "#d1e7dd", Health.UNPLANNED: "#e9ecef"}  # fmt: skip


def filename(sup: Supervision, suffix: str, *, department: Department | None = None) -> str:
    who = f"-{department.name}" if department else ""
    return f"{sup.plan.title}{who}-督查-{sup.today.isoformat()}.{suffix}"


def _subtitle(sup: Supervision, department: Department | None) -> str:
    text = _("督查情况（截至 {d}）").format(d=sup.today.isoformat())
    if department is not None:
        text = _("{dept}任务清单 · ").format(dept=department.name) + text
    return text


def plan_xlsx(sup: Supervision, *, department: Department | None = None) -> bytes:
    # xlsxwriter is loaded only when somebody exports
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {**XLSXWRITER_OPTIONS, "in_memory": True})
    title = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "bg_color": "#b5121b", "font_color": "#ffffff",
                            "border": 1, "text_wrap": True, "valign": "vcenter"})
    cell = book.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    date = book.add_format({"border": 1, "num_format": "yyyy-mm-dd", "valign": "top"})
    status = {h: book.add_format({"border": 1, "bg_color": LIGHT[h], "bold": True, "valign": "top"})
              for h in HEALTH_ORDER}

    sheet = SafeSheet(book.add_worksheet(_("任务")))
    sheet.write(0, 0, sup.plan.title, title)
    sheet.write(1, 0, _subtitle(sup, department))
    sheet.write(2, 0, "  ".join(f"{Health(h).label} {sup.counts[h]}" for h in HEALTH_ORDER))
    columns = [(_("序号"), 6), (_("部分"), 12), (_("任务"), 30), (_("牵头部门"), 14),
               (_("配合部门"), 24), (_("节点（完成/总数）"), 10), (_("最近截止"), 12),
               (_("平均进度%"), 9), (_("最近报送"), 12), (_("督查状态"), 10), (_("说明"), 40)]
    for col, (name, width) in enumerate(columns):
        sheet.write(4, col, name, head)
        sheet.set_column(col, col, width)
    row = 5
    for r in sup.rows:
        done = sum(1 for m in r.active if m.verdict and m.verdict.health == Health.DONE)
        sheet.write(row, 0, r.item.number, cell)
        sheet.write(row, 1, f"{r.heading.label}、{r.heading.text}" if r.heading else "", cell)
        sheet.write(row, 2, r.item.title, cell)
        sheet.write(row, 3, r.lead.name if r.lead else "", cell)
        sheet.write(row, 4, "、".join(d.name for d in r.co), cell)
        sheet.write(row, 5, f"{done}/{len(r.active)}", cell)
        if r.next_due:
            sheet.write_datetime(row, 6, _dt(r.next_due), date)
        else:
            sheet.write(row, 6, "", cell)
        sheet.write(row, 7, r.percent if r.percent is not None else "", cell)
        if r.last_report_on:
            sheet.write_datetime(row, 8, _dt(r.last_report_on), date)
        else:
            sheet.write(row, 8, "", cell)
        sheet.write(row, 9, str(Health(r.health).label), status[r.health])
        sheet.write(row, 10, "；".join(r.reasons), cell)
        row += 1
    sheet.freeze_panes(5, 0)
    sheet.autofilter(4, 0, max(row - 1, 4), len(columns) - 1)
    _milestone_sheet(book, sup, head=head, cell=cell, date=date, status=status)
    book.close()
    return buffer.getvalue()


def _milestone_sheet(book: Any, sup: Supervision, *, head: Any, cell: Any, date: Any,
                     status: dict[Health, Any]) -> None:
    """The second sheet: one row per milestone."""
    sheet = SafeSheet(book.add_worksheet(_("节点")))
    columns = [(_("序号"), 6), (_("任务"), 28), (_("节点"), 30), (_("责任部门"), 14),
               (_("开始日期"), 12), (_("截止日期"), 12), (_("进度%"), 8), (_("最近报送"), 12),
               (_("节点状态"), 10), (_("督查状态"), 10), (_("说明"), 36)]
    for col, (name, width) in enumerate(columns):
        sheet.write(0, col, name, head)
        sheet.set_column(col, col, width)
    row = 1
    for r in sup.rows:
        for m in r.milestones:
            ms = m.milestone
            sheet.write(row, 0, r.item.number, cell)
            sheet.write(row, 1, r.item.title, cell)
            sheet.write(row, 2, ms.title, cell)
            sheet.write(row, 3, ms.department.name, cell)
            sheet.write_datetime(row, 4, _dt(ms.starts_on), date)
            sheet.write_datetime(row, 5, _dt(ms.due_date), date)
            sheet.write(row, 6, ms.percent, cell)
            if ms.last_report_on:
                sheet.write_datetime(row, 7, _dt(ms.last_report_on), date)
            else:
                sheet.write(row, 7, "", cell)
            sheet.write(row, 8, ms.get_status_display(), cell)
            if m.verdict:
                sheet.write(row, 9, str(Health(m.verdict.health).label), status[m.verdict.health])
                sheet.write(row, 10, "；".join(m.verdict.reasons), cell)
            else:
                sheet.write(row, 9, "", cell)
                sheet.write(row, 10, "", cell)
            row += 1
    sheet.freeze_panes(1, 0)


def _dt(value: dt.date) -> dt.datetime:
    return dt.datetime.combine(value, dt.time())


def plan_pdf(sup: Supervision, *, department: Department | None = None) -> bytes:
    # WeasyPrint (Pango, fonts) is heavy: loaded only for a PDF export
    from weasyprint import HTML

    groups: list[tuple[object, list]] = []
    for r in sup.rows:
        if not groups or groups[-1][0] != r.heading:
            groups.append((r.heading, []))
        groups[-1][1].append(r)
    html = render_to_string("workplan/export_pdf.html", {
        "sup": sup, "plan": sup.plan, "department": department, "groups": groups,
        "subtitle": _subtitle(sup, department),
        "summary": [(Health(h).label, sup.counts[h], HEALTH_COLOURS[h], LIGHT[h])
                    for h in HEALTH_ORDER],
        "light": {str(h): LIGHT[h] for h in HEALTH_ORDER},
        "labels": {str(h): Health(h).label for h in HEALTH_ORDER},
    })
    return HTML(string=html).write_pdf()
