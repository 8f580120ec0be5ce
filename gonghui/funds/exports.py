"""A `Report` as .xlsx (xlsxwriter) or PDF (WeasyPrint with the Noto CJK fonts)."""

from __future__ import annotations

import io
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.core import clock
from gonghui.core.sheets import XLSXWRITER_OPTIONS, SafeSheet
from gonghui.funds.reports import Report


def to_xlsx(report: Report) -> bytes:
    # heavy optional library, loaded only when a spreadsheet is asked for
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {**XLSXWRITER_OPTIONS, "in_memory": True})
    sheet = SafeSheet(book.add_worksheet(report.title[:31]))
    title = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1, "align": "center"})
    money = book.add_format({"num_format": "#,##0.00", "border": 1})
    money_b = book.add_format({"num_format": "#,##0.00", "border": 1, "bold": True})
    text = book.add_format({"border": 1})
    text_b = book.add_format({"border": 1, "bold": True})
    indent = book.add_format({"border": 1, "indent": 2})
    sheet.write(0, 0, report.title, title)
    sheet.write(1, 0, f"{report.scope_label}　{report.period_label}")
    stamp = timezone.localtime(clock.now()).strftime("%Y-%m-%d %H:%M")
    sheet.write(2, 0, _("单位：元　编制时间：{t}").format(t=stamp))
    for col, name in enumerate(report.columns):
        sheet.write(4, col, name, head)
        sheet.set_column(col, col, 28 if col == 0 else 16)
    for r, row in enumerate(report.rows, start=5):
        for col, cell in enumerate(row.cells):
            if col in report.money_columns:
                if cell is None:
                    sheet.write_blank(r, col, None, money)
                else:
                    # Excel cells are binary doubles: exact to the fen for amounts below
                    # 10^13, shown with two places
                    sheet.write_number(r, col, float(Decimal(cell)), money_b if row.strong else money)
            else:
                fmt = text_b if row.strong else (indent if row.level and col == 0 else text)
                sheet.write(r, col, "" if cell is None else str(cell), fmt)
    for i, note in enumerate(report.notes, start=len(report.rows) + 6):
        sheet.write(i, 0, note)
    book.close()
    return buffer.getvalue()


def to_pdf(report: Report) -> bytes:
    # heavy optional library (pango, cairo), loaded only when a PDF is asked for
    from weasyprint import HTML

    html = render_to_string("funds/report_pdf.html", {
        "report": report, "generated_at": clock.now(),
    })
    return HTML(string=html).write_pdf()
