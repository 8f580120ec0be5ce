"""Dunning letters (工会经费催缴函) as PDF: one A4 page per employer in arrears, in Chinese, from
the union that collects its allocation (WeasyPrint with the Noto CJK fonts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.template.loader import render_to_string

from gonghui.core import clock
from gonghui.funds.selectors_remittance import Dunning


def dunning_letters_pdf(items: Sequence[Dunning], *, on: dt.date | None = None) -> bytes:
    """One letter per item (a batch is one PDF, a page per employer), dated `on` (today)."""
    # heavy optional library (pango, cairo), loaded only when a PDF is asked for
    from weasyprint import HTML

    html = render_to_string("funds/dunning_letters_pdf.html", {
        "items": items, "on": on or clock.today(),
    })
    return HTML(string=html).write_pdf()
