"""What a treasurer enters on the funds pages and the API: journal entries, income, spending
with evidence and policy limits, the payroll allocation and its remittance upwards, budgets.
Each checks `funds.write` over the union (`permissions.require_funds`, the one gate) and that
the book is open, then posts through the ledger service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.audit.services import audit_record
from gonghui.core.actor import Actor, actor_user
from gonghui.core.errors import ApplicationError
from gonghui.core.money import format_yuan
from gonghui.funds.chart import (
    ALLOCATION,
    BANK,
    CASH,
    CHART_BY_CODE,
    INCOME_CODES,
    PAYABLE_UP,
    SPENDING_CATEGORIES,
)
from gonghui.funds.models import Book, Budget, LedgerTransaction, PayrollAllocation, PeriodBalance
from gonghui.funds.permissions import require_funds
from gonghui.funds.services.ledger import (
    chart_ensure,
    period_of,
    post_expense,
    post_income,
    post_transaction,
    require_open_book,
    to_amount,
)
from gonghui.funds.services.rules import LimitCheck, allocation_split, kept_ratio_for, policy_check
from gonghui.funds.sums import fen
from gonghui.orgs.models import Org

SPENDING_CODES = frozenset(c for codes in SPENDING_CATEGORIES.values() for c in codes)
MONEY_ACCOUNTS = (BANK, CASH)


def _positive(amount: Any) -> Decimal:
    value = to_amount(amount)
    if value <= 0:
        raise ApplicationError(_("金额必须大于零。"), code="non_positive")
    return value


def journal_entry_record(*, union: Org, date: dt.date, memo: str,
                         lines: Sequence[tuple[str, Any]], idempotency_key: str,
                         actor: Actor) -> LedgerTransaction:
    """A plain journal entry (a transfer between bank and cash, a receivable). Spending is not
    entered this way: it needs its evidence and the policy limits (`expense_record`)."""
    require_funds(actor, Capability.FUNDS_WRITE, union)
    require_open_book(union)
    if any(CHART_BY_CODE.get(str(code).strip(), ("", ""))[1] == "expense"
           and to_amount(amount) > 0 for code, amount in lines):
        raise ApplicationError(_("支出请通过“记支出”（/expenses）记账：需上传凭证并检查限额。"),
                               code="use_expense_endpoint")
    return post_transaction(union=union, date=date, memo=memo, lines=lines,
                            idempotency_key=idempotency_key, actor=actor, source="funds.api")


def income_record(*, union: Org, date: dt.date, account_code: str, amount: Decimal, memo: str,
                  idempotency_key: str, actor: Actor, evidence: Any = None,
                  into: str = BANK) -> LedgerTransaction:
    """Income received into the bank or cash: dues, subsidies (上级补助, 行政补助), other income."""
    require_funds(actor, Capability.FUNDS_WRITE, union)
    require_open_book(union)
    if account_code not in INCOME_CODES:
        raise ApplicationError(_("请选择收入科目。"), code="bad_account")
    if into not in MONEY_ACCOUNTS:
        raise ApplicationError(_("收款账户只能是银行存款或库存现金。"), code="bad_account")
    return post_income(union=union, date=date, account_code=account_code,
                       amount=_positive(amount), memo=memo, idempotency_key=idempotency_key,
                       actor=actor, source="funds.income", evidence=evidence, into=into)


class PolicyWarning(ApplicationError):
    """Limits with action "warn" were exceeded: the entry is posted only when confirmed."""

    def __init__(self, checks: list[LimitCheck]) -> None:
        super().__init__("；".join(c.message for c in checks), code="policy_warning")
        self.checks = checks


class PolicyBlocked(ApplicationError):
    def __init__(self, checks: list[LimitCheck]) -> None:
        super().__init__("；".join(c.message for c in checks), code="policy_blocked")
        self.checks = checks


def expense_record(*, union: Org, date: dt.date, account_code: str, amount: Decimal, memo: str,
                   idempotency_key: str, actor: Actor, evidence: Any,
                   paid_from: str = BANK, confirm_warnings: bool = False) -> LedgerTransaction:
    """Spending in one of the five categories, with its evidence file. Policy limits of the
    union's federations are checked under the book lock (so two entries cannot both use the
    last of a yearly limit): a "block" limit refuses, a "warn" limit needs `confirm_warnings`."""
    require_funds(actor, Capability.FUNDS_WRITE, union)
    require_open_book(union)
    if account_code not in SPENDING_CODES:
        raise ApplicationError(_("请选择支出类别和明细。"), code="bad_account")
    if paid_from not in MONEY_ACCOUNTS:
        raise ApplicationError(_("付款账户只能是银行存款或库存现金。"), code="bad_account")
    if not evidence:
        raise ApplicationError(_("请上传发票或其他原始凭证。"), code="evidence_required")
    value = _positive(amount)
    with transaction.atomic():
        chart_ensure(union)
        Book.objects.select_for_update().get(union=union)
        earlier = LedgerTransaction.objects.filter(union=union,
                                                   idempotency_key=idempotency_key).first()
        if earlier is None:
            checks = [c for c in policy_check(union=union, account_code=account_code,
                                              amount=value, date=date) if c.exceeded]
            blocking = [c for c in checks if c.blocks]
            if blocking:
                raise PolicyBlocked(blocking)
            if checks and not confirm_warnings:
                raise PolicyWarning(checks)
        tx = post_expense(union=union, date=date, account_code=account_code, amount=value,
                          memo=memo, idempotency_key=idempotency_key, actor=actor,
                          source="funds.expense", evidence=evidence, paid_from=paid_from)
        if earlier is None and checks:
            audit_record(actor=actor, action="funds.limit_override", obj=tx,
                         org_path=union.path, note="；".join(c.message for c in checks))
    return tx


def allocation_record(*, union: Org, date: dt.date, employer_name: str, payroll: Decimal,
                      idempotency_key: str, actor: Actor, evidence: Any = None) -> PayrollAllocation:
    """An employer's payroll allocation (2% of `payroll`) received in full into the bank: the
    kept share is income (拨缴经费收入), the rest is owed upwards (应付上级经费)."""
    require_funds(actor, Capability.FUNDS_WRITE, union)
    require_open_book(union)
    payroll = _positive(payroll)
    employer_name = employer_name.strip()
    if not employer_name:
        raise ApplicationError(_("请填写缴费单位。"), code="employer_required")
    ratio, _rule = kept_ratio_for(union)
    total, kept, up = allocation_split(payroll, ratio)
    if total <= 0:
        raise ApplicationError(_("工资总额太小，拨缴经费不足 1 分。"), code="too_small")
    lines = [(BANK, total)]
    if kept:
        lines.append((ALLOCATION, -kept))
    if up:
        lines.append((PAYABLE_UP, -up))
    with transaction.atomic():
        tx = post_transaction(
            union=union, date=date, idempotency_key=idempotency_key, actor=actor,
            memo=_("{employer} 拨缴经费：工资总额 {payroll} × 2%，留成 {pct}%").format(
                employer=employer_name[:100], payroll=format_yuan(payroll),
                pct=format((ratio * 100).normalize(), "f")),
            lines=lines, source="funds.allocation", evidence=evidence,
        )
        if not tx.was_created:
            return PayrollAllocation.objects.get(transaction=tx)
        return PayrollAllocation.objects.create(
            union=union, period=period_of(date), employer_name=employer_name[:200],
            payroll=payroll, total=total, kept=kept, passed_up=up, kept_ratio=ratio,
            transaction=tx,
        )


def allocation_remit(*, union: Org, date: dt.date, amount: Decimal, idempotency_key: str,
                     actor: Actor) -> tuple[LedgerTransaction, LedgerTransaction]:
    """Pay the share owed upwards to the parent union: in this book 应付上级经费 → bank, in the
    parent's book bank ← 拨缴经费收入. Both postings commit together or not at all."""
    require_funds(actor, Capability.FUNDS_WRITE, union)
    require_open_book(union)
    value = _positive(amount)
    parent = Org.objects.get_parent(union) if union.depth > 1 else None
    if parent is None:
        raise ApplicationError(_("没有上级工会可以上解。"), code="no_parent")
    with transaction.atomic():
        # lock the two books parent first, like every other multi-book posting (path order)
        chart_ensure(parent)
        chart_ensure(union)
        Book.objects.select_for_update().get(union=parent)
        Book.objects.select_for_update().get(union=union)
        owed = _balance(union, PAYABLE_UP)
        if value > -owed and not LedgerTransaction.objects.filter(
                union=union, idempotency_key=idempotency_key).exists():
            raise ApplicationError(
                _("上解金额 {amount} 超过应付上级经费余额 {owed}。").format(
                    amount=format_yuan(value), owed=format_yuan(-owed)),
                code="over_owed")
        memo = _("上解拨缴经费 {amount}").format(amount=format_yuan(value))
        here = post_transaction(union=union, date=date, memo=f"{memo} → {parent.name}"[:255],
                                lines=[(PAYABLE_UP, value), (BANK, -value)],
                                idempotency_key=idempotency_key, actor=actor,
                                source="funds.remit")
        there = post_transaction(union=parent, date=date, memo=f"{memo} ← {union.name}"[:255],
                                 lines=[(BANK, value), (ALLOCATION, -value)],
                                 idempotency_key=f"remit-from:{union.pk}:{idempotency_key}",
                                 actor=actor, source="funds.remit_in")
    return here, there


def _balance(union: Org, code: str) -> Decimal:
    row = PeriodBalance.objects.filter(union=union, account_code=code).aggregate(
        d=Sum("debit"), c=Sum("credit"))
    return fen(row["d"]) - fen(row["c"])


BUDGET_CODES = [*INCOME_CODES, *SPENDING_CATEGORIES, "5201", "5601"]


def budget_set(*, union: Org, year: int, amounts: dict[str, Decimal], actor: Actor) -> list[Budget]:
    """Set the year's budget per first-level income/spending account (0 removes nothing: a zero
    budget is a budget)."""
    require_funds(actor, Capability.FUNDS_WRITE, union)
    require_open_book(union)
    unknown = sorted(set(amounts) - set(BUDGET_CODES))
    if unknown:
        raise ApplicationError(_("不能为科目 {codes} 编制预算。").format(codes="、".join(unknown)),
                               code="bad_account")
    cleaned = {}
    for code, amount in amounts.items():
        value = to_amount(amount)
        if value < 0:
            raise ApplicationError(_("预算金额不能为负：{name}").format(
                name=CHART_BY_CODE[code][0]), code="negative")
        cleaned[code] = value
    out = []
    with transaction.atomic():
        existing = {b.account_code: b for b in Budget.objects.select_for_update().filter(
            union=union, year=year)}
        before, after = {}, {}
        for code, value in sorted(cleaned.items()):
            budget = existing.get(code)
            if budget is not None and budget.amount == value:
                out.append(budget)
                continue
            before[code] = str(budget.amount) if budget else None
            after[code] = str(value)
            if budget is None:
                budget = Budget.objects.create(union=union, year=year, account_code=code,
                                               amount=value, updated_by=actor_user(actor))
            else:
                budget.amount = value
                budget.updated_by = actor_user(actor)
                budget.save(update_fields=["amount", "updated_by", "updated_at"])
            out.append(budget)
        if after:
            audit_record(actor=actor, action="funds.budget_set", object_type="funds.budget",
                         object_id=f"{union.pk}:{year}", object_repr=f"{union.name} {year} 预算",
                         org_path=union.path, before=before, after=after)
    return out
