"""The election result report (选举结果报告) as a PDF, from the stored rounds."""

from __future__ import annotations

from django.template.loader import render_to_string

from gonghui.core import clock
from gonghui.democracy.models import Election


def result_context(election: Election) -> dict[str, object]:
    rounds = list(election.rounds.filter(status="closed").order_by("number"))
    return {
        "election": election,
        "rounds": rounds,
        "elected": list(election.candidates.filter(elected_in_round__isnull=False)
                        .order_by("elected_in_round", "-votes", "id")),
        "entitled": election.voters.count(),
        "generated_at": clock.now(),
    }


def result_pdf(election: Election) -> bytes:
    # WeasyPrint (Pango, fonts) is heavy: loaded only when a PDF is asked for
    from weasyprint import HTML

    html = render_to_string("democracy/report_pdf.html", result_context(election))
    return HTML(string=html).write_pdf()
