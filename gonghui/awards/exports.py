"""PDFs: the 公示 list and competition certificates (WeasyPrint, Noto CJK fonts)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from gonghui.notices.models import Notice


def _pdf(html: str) -> bytes:
    # WeasyPrint (Pango, fonts) is heavy: loaded only for a PDF export
    from weasyprint import HTML

    return bytes(HTML(string=html).write_pdf())


def publicity_pdf(notice: Notice, rows: list[dict[str, str]]) -> bytes:
    return _pdf(render_to_string("awards/publicity_pdf.html", {"notice": notice, "rows": rows}))


def certificates_pdf(competition: Any, rows: list[Any]) -> bytes:
    return _pdf(render_to_string("awards/certificates_pdf.html",
                                 {"competition": competition, "rows": rows}))
