"""The two letters as PDF in the official layout (WeasyPrint with the Noto CJK fonts)."""

from __future__ import annotations

from django.template.loader import render_to_string

from gonghui.rights.models import Letter, LetterKind


def letter_pdf(letter: Letter) -> bytes:
    # WeasyPrint (Pango, fonts) is heavy: loaded only for a PDF export
    from weasyprint import HTML

    html = render_to_string("rights/letter_pdf.html", {
        "letter": letter, "is_opinion": letter.kind == LetterKind.OPINION,
        "opinion": letter.opinion})
    return bytes(HTML(string=html).write_pdf())
