"""Where a ledger transaction came from (`LedgerTransaction.source`), in words: the journal's
filter, the voucher page and the audit trail (through core.codes) read the same list."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

SOURCES = [
    ("funds.income", _("收入")), ("funds.expense", _("支出")), ("funds.dues", _("会费")),
    ("funds.allocation", _("拨缴经费")), ("funds.remit", _("上解")),
    ("funds.remit_in", _("下级上解")), ("funds.reversal", _("冲销")),
    ("funds.api", _("接口记账")), ("funds.opening", _("期初余额")),
    ("funds.year_close", _("年终结账")), ("funds.year_reopen", _("重新打开年度")),
    ("mutualaid.payout", _("互助保障给付")), ("mutualaid.contribution", _("互助保障缴费")),
    ("aid.assistance", _("困难帮扶")),
]
