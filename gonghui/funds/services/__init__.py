"""Every write to union funds. Other modules import from here:

    from gonghui.funds.services import post_transaction, post_income, post_expense

See docs/funds.md for the posting contract.
"""

from gonghui.funds.services.closing import period_close
from gonghui.funds.services.ledger import (
    chart_ensure,
    evidence_attach,
    normalize_lines,
    period_of,
    post_expense,
    post_income,
    post_transaction,
    reverse_transaction,
)

__all__ = [
    "chart_ensure",
    "evidence_attach",
    "normalize_lines",
    "period_close",
    "period_of",
    "post_expense",
    "post_income",
    "post_transaction",
    "reverse_transaction",
]
