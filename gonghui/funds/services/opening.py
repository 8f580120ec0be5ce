"""Moving a union's books into Gonghui (建账): the voucher numbering scheme and the opening
balances (期初余额), entered or imported from .xlsx and posted as one opening entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.audit.services import audit_record
from gonghui.core.actor import Actor
from gonghui.core.cells import CellError, cell_text, first_sheet, is_blank, parse_money
from gonghui.core.colocated import no_related_in_union
from gonghui.core.errors import ApplicationError, Conflict
from gonghui.funds.chart import CHART_BY_CODE, HEADER_CODES
from gonghui.funds.models import Book, Category, LedgerTransaction, VoucherScheme
from gonghui.funds.permissions import require_funds
from gonghui.funds.services.ledger import (
    chart_ensure,
    post_transaction,
    require_open_book,
    to_amount,
)
from gonghui.orgs.models import Org

ZERO = Decimal("0.00")
OPENING_SOURCE = "funds.opening"
BALANCE_SHEET = (Category.ASSET, Category.LIABILITY, Category.NET_ASSETS)
MAX_ROWS = 500


def voucher_scheme_set(*, union: Org, scheme: str, actor: Actor) -> Book:
    """Single sequence (记字) or 收/付/转. Takes effect for the next posting; numbers already
    given stay (each voucher type has its own sequence per period)."""
    require_funds(actor, Capability.FUNDS_WRITE, union)
    if scheme not in VoucherScheme.values:
        raise ApplicationError(_("凭证字设置不正确。"), code="bad_scheme")
    chart_ensure(union)
    with transaction.atomic():
        book = Book.objects.select_for_update().get(union=union)
        before = book.voucher_scheme
        if before != scheme:
            book.voucher_scheme = scheme
            book.save(update_fields=["voucher_scheme"])
            audit_record(actor=actor, action="funds.voucher_scheme", obj=book,
                         org_path=union.path, object_repr=union.name,
                         before={"voucher_scheme": before}, after={"voucher_scheme": scheme})
    return book


@dataclass(frozen=True)
class OpeningRow:
    code: str
    debit: Decimal
    credit: Decimal


def opening_entry(union: Org) -> LedgerTransaction | None:
    """The opening entry in force (posted and not reversed), internal use."""
    return (LedgerTransaction.objects.filter(
        no_related_in_union(LedgerTransaction, "reversal_of"), union=union,
        source=OPENING_SOURCE).order_by("-id").first())


def _check_rows(rows: Sequence[OpeningRow]) -> list[tuple[str, Decimal]]:
    lines: list[tuple[str, Decimal]] = []
    seen: set[str] = set()
    assets = claims = ZERO  # assets; liabilities + net assets
    for row in rows:
        code = row.code.strip()
        if code not in CHART_BY_CODE:
            raise ApplicationError(_("科目不存在：{code}").format(code=code),
                                   code="unknown_account")
        if code in HEADER_CODES:
            raise ApplicationError(_("科目 {code} 有明细科目，请填写明细科目的余额。").format(
                code=code), code="header_account")
        if CHART_BY_CODE[code][1] not in BALANCE_SHEET:
            raise ApplicationError(
                _("期初余额只录入资产、负债和净资产科目（{code} 是收入或支出科目）。").format(
                    code=code), code="opening_account")
        if code in seen:
            raise ApplicationError(_("科目 {code} 重复。").format(code=code),
                                   code="duplicate_account")
        seen.add(code)
        debit, credit = to_amount(row.debit), to_amount(row.credit)
        if debit < 0 or credit < 0:
            raise ApplicationError(_("余额不能为负数（科目 {code}）。").format(code=code),
                                   code="bad_amount")
        amount = debit - credit
        if not amount:
            continue
        lines.append((code, amount))
        if CHART_BY_CODE[code][1] == Category.ASSET:
            assets += amount
        else:
            claims -= amount
    if assets != claims:
        raise ApplicationError(
            _("期初余额不平衡：资产合计 {a} 元，负债和净资产合计 {b} 元，相差 {d} 元。").format(
                a=f"{assets:,.2f}", b=f"{claims:,.2f}", d=f"{assets - claims:,.2f}"),
            code="opening_unbalanced", extra={"difference": str(assets - claims)})
    if not lines:
        raise ApplicationError(_("请至少填写一个科目的期初余额。"), code="opening_empty")
    return lines


def opening_balances_post(*, union: Org, date: dt.date, rows: Sequence[OpeningRow],
                          actor: Actor, memo: str = "") -> LedgerTransaction:
    """Post the balances of `union`'s balance-sheet accounts at `date` as one opening entry.

    Refused when assets ≠ liabilities + net assets (the message and `extra["difference"]`
    carry the exact difference), when an opening entry is already in force (correct it by
    reversing it, then enter the balances again) or when the book has postings dated before
    `date`. Needs `funds.write`."""
    require_funds(actor, Capability.FUNDS_WRITE, union)
    require_open_book(union)
    lines = _check_rows(rows)
    chart_ensure(union)
    with transaction.atomic():
        Book.objects.select_for_update().get(union=union)
        current = opening_entry(union)
        if current is not None:
            raise Conflict(
                _("已录入期初余额（凭证 {label}）；如需更正，请先冲销该凭证再重新录入。").format(
                    label=current.voucher_label), code="opening_exists")
        earlier = LedgerTransaction.objects.filter(union=union, date__lt=date).order_by("date")
        first = earlier.first()
        if first is not None:
            raise ApplicationError(
                _("账簿在 {d} 已有凭证，期初日期不能晚于第一笔凭证的日期。").format(d=first.date),
                code="opening_after_postings")
        attempt = LedgerTransaction.objects.filter(union=union, source=OPENING_SOURCE).count()
        tx = post_transaction(
            union=union, date=date, memo=memo or _("期初余额 {d}").format(d=date.isoformat()),
            lines=lines, idempotency_key=f"funds.opening:{attempt}", actor=actor,
            source=OPENING_SOURCE)
        audit_record(actor=actor, action="funds.opening", obj=tx, org_path=union.path,
                     object_repr=f"{union.name} {tx.voucher_label}",
                     after={"date": date, "lines": [[c, str(a)] for c, a in lines]})
    return tx


# --- .xlsx import --------------------------------------------------------------------------

_HEADERS = {"科目编码": "code", "科目代码": "code", "编码": "code", "借方余额": "debit",
            "借方": "debit", "贷方余额": "credit", "贷方": "credit"}


def read_opening_xlsx(upload: IO[bytes] | Any) -> list[OpeningRow]:
    """Rows of the first sheet: a header with 科目编码, 借方余额 and 贷方余额 (科目名称 and
    other columns are ignored), then one account a row. Every bad cell is reported at once
    with its row and column."""
    columns, rows = first_sheet(upload, _HEADERS, code="bad_file")
    if set(columns.values()) != {"code", "debit", "credit"}:
        raise ApplicationError(_("表头须包含：科目编码、借方余额、贷方余额。"),
                               code="bad_header")
    out: list[OpeningRow] = []
    errors: list[str] = []
    for row_no, values in enumerate(rows, start=2):
        if row_no > MAX_ROWS + 1:
            errors.append(_("最多 {n} 行。").format(n=MAX_ROWS))
            break
        raw = {key: values[i] if i < len(values) else None for i, key in columns.items()}
        if all(is_blank(v) for v in raw.values()):
            continue
        try:
            debit = parse_money(raw["debit"], required=False) or ZERO
            credit = parse_money(raw["credit"], required=False) or ZERO
        except CellError as exc:
            errors.append(_("第 {r} 行：{m}").format(r=row_no, m=exc.message))
            continue
        out.append(OpeningRow(code=cell_text(raw["code"]), debit=debit, credit=credit))
    if errors:
        raise ApplicationError("；".join(errors[:20]), code="bad_rows")
    return out


def opening_balances_import(*, union: Org, date: dt.date, upload: IO[bytes] | Any,
                            actor: Actor) -> LedgerTransaction:
    require_funds(actor, Capability.FUNDS_WRITE, union)
    return opening_balances_post(union=union, date=date, rows=read_opening_xlsx(upload),
                                 actor=actor)
