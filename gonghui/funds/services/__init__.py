"""Every write to union funds. Other modules import from here:

    from gonghui.funds.services import post_transaction, post_income, post_expense

See docs/funds.md for the posting contract.
"""

from gonghui.funds.services.closing import period_close
from gonghui.funds.services.dues import (
    dues_amount,
    dues_list_generate,
    dues_mark_paid,
    dues_unmark,
)
from gonghui.funds.services.entries import (
    PolicyBlocked,
    PolicyWarning,
    allocation_record,
    allocation_remit,
    budget_set,
    expense_record,
    income_record,
    journal_entry_record,
)
from gonghui.funds.services.findings import (
    finding_add,
    finding_answer,
    finding_close,
    finding_reopen,
)
from gonghui.funds.services.ledger import (
    chart_ensure,
    evidence_attach,
    normalize_lines,
    period_of,
    post_expense,
    post_income,
    post_transaction,
    require_open_book,
    reverse_transaction,
    to_amount,
)
from gonghui.funds.services.opening import (
    OpeningRow,
    opening_balances_import,
    opening_balances_post,
    voucher_scheme_set,
)
from gonghui.funds.services.rules import (
    allocation_rule_set,
    kept_ratio_for,
    policy_check,
    policy_limit_create,
    policy_limit_deactivate,
)
from gonghui.funds.services.yearend import (
    year_close,
    year_close_run_start,
    year_close_subtree,
    year_reopen,
)

__all__ = [
    "OpeningRow",
    "PolicyBlocked",
    "PolicyWarning",
    "allocation_record",
    "allocation_remit",
    "allocation_rule_set",
    "budget_set",
    "chart_ensure",
    "dues_amount",
    "dues_list_generate",
    "dues_mark_paid",
    "dues_unmark",
    "evidence_attach",
    "expense_record",
    "finding_add",
    "finding_answer",
    "finding_close",
    "finding_reopen",
    "income_record",
    "journal_entry_record",
    "kept_ratio_for",
    "normalize_lines",
    "opening_balances_import",
    "opening_balances_post",
    "period_close",
    "period_of",
    "policy_check",
    "policy_limit_create",
    "policy_limit_deactivate",
    "post_expense",
    "post_income",
    "post_transaction",
    "require_open_book",
    "reverse_transaction",
    "to_amount",
    "voucher_scheme_set",
    "year_close",
    "year_close_run_start",
    "year_close_subtree",
    "year_reopen",
]
