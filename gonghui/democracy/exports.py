"""The yearly proposal report (.xlsx and PDF): one row per proposal of the viewer's subtree, then the
figures by department and by satisfaction."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from gonghui.core import clock
from gonghui.core.sheets import XLSXWRITER_OPTIONS, SafeSheet
from gonghui.democracy import selectors
from gonghui.democracy.models import ProposalStatus, Satisfaction


def _proposals(viewer: Any, year: int) -> Any:
    return (selectors.proposal_list(viewer=viewer, year=str(year))
            .select_related("proposer", "congress__org").prefetch_related(
                "departments__department", "cosigners").order_by("congress__org__path", "id"))


def proposals_pdf(*, viewer: Any, year: int, scope: str) -> bytes:
    """The same report as a PDF for the congress's file: the figures, then every proposal."""
    # WeasyPrint (Pango, fonts) is heavy: loaded only when a PDF is asked for
    from weasyprint import HTML

    proposals = list(_proposals(viewer, year))
    for p in proposals:
        depts = list(p.departments.all())
        p.cosigner_count = len(p.cosigners.all())
        p.lead_departments = "、".join(d.department.name for d in depts if d.is_lead) or "—"
    stats = selectors.proposal_stats(viewer=viewer, year=year)
    html = render_to_string("democracy/proposals_pdf.html", {
        "year": year, "scope": scope, "proposals": proposals, "stats": stats,
        "by_status": [(label, stats["by_status"][value])
                      for value, label in ProposalStatus.choices],
        "satisfaction": [(label, stats["satisfaction"][value])
                         for value, label in Satisfaction.choices],
        "generated_at": clock.now(),
    })
    return HTML(string=html).write_pdf()


def proposals_xlsx(*, viewer: Any, year: int) -> bytes:
    # xlsxwriter is loaded only when somebody exports
    import xlsxwriter

    rows = _proposals(viewer, year)
    stats = selectors.proposal_stats(viewer=viewer, year=year)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {**XLSXWRITER_OPTIONS, "in_memory": True})
    head = book.add_format({"bold": True, "bg_color": "#B5121B", "font_color": "#FFFFFF"})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet = SafeSheet(book.add_worksheet(_("{year}年提案").format(year=year)))
    columns = [_("工会"), _("案由"), _("提案人"), _("附议人数"), _("状态"), _("牵头部门"),
               _("协办部门"), _("答复期限"), _("答复日期"), _("提案人评价"), _("重新办理")]
    for col, title in enumerate(columns):
        sheet.write(0, col, title, head)
    for r, p in enumerate(rows, start=1):
        depts = list(p.departments.all())
        sheet.write(r, 0, p.congress.org.name)
        sheet.write(r, 1, p.title)
        sheet.write(r, 2, p.proposer.name)
        sheet.write_number(r, 3, len(p.cosigners.all()))
        sheet.write(r, 4, str(ProposalStatus(p.status).label))
        sheet.write(r, 5, "、".join(d.department.name for d in depts if d.is_lead))
        sheet.write(r, 6, "、".join(d.department.name for d in depts if not d.is_lead))
        for col, value in ((7, p.deadline), (8, p.replied_on)):
            if value:
                sheet.write_datetime(r, col, _dt(value), date)
            else:
                sheet.write_blank(r, col, None)
        sheet.write(r, 9, str(Satisfaction(p.satisfaction).label) if p.satisfaction else "")
        sheet.write(r, 10, _("是") if p.reopened else "")
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 1, 40)
    sheet.set_column(2, 10, 12)
    sheet.freeze_panes(1, 0)
    summary = SafeSheet(book.add_worksheet(_("统计")))
    summary.write_row(0, 0, [_("状态"), _("件数")], head)
    line = 1
    for status, label in ProposalStatus.choices:
        summary.write_row(line, 0, [str(label), stats["by_status"][status]])
        line += 1
    line += 1
    summary.write_row(line, 0, [_("承办部门"), _("件数")], head)
    for name, n in stats["by_department"]:
        line += 1
        summary.write_row(line, 0, [name, n])
    line += 2
    summary.write_row(line, 0, [_("提案人评价"), _("件数")], head)
    for verdict, label in Satisfaction.choices:
        line += 1
        summary.write_row(line, 0, [str(label), stats["satisfaction"][verdict]])
    line += 2
    summary.write_row(line, 0, [_("平均答复天数"), stats["reply_days"] or ""])
    summary.set_column(0, 0, 20)
    book.close()
    return buffer.getvalue()


def _dt(value: dt.date) -> dt.datetime:
    return dt.datetime.combine(value, dt.time())
