"""Bank reconciliation (银行对账): import a bank statement (.csv or .xlsx with a column
mapping), match its lines to the ledger's bank lines (1002 银行存款) automatically — same
amount, date within a window, the reference in the voucher's memo or key preferred — and by
hand, and the reconciliation statement (银行存款余额调节表).

Matching never touches the ledger: a `BankMatch` pairs one statement line with one ledger line
(each side at most once, by unique constraints); undoing a match deletes it."""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.audit.services import audit_record
from gonghui.core.actor import Actor, actor_user
from gonghui.core.cells import (
    CellError,
    cell_text,
    check_spreadsheet,
    decode_text,
    is_blank,
    parse_date,
    parse_money,
)
from gonghui.core.colocated import no_related_in_union, same_union
from gonghui.core.errors import ApplicationError, Conflict
from gonghui.funds.chart import BANK
from gonghui.funds.models import (
    BankMatch,
    BankStatement,
    BankStatementLine,
    Book,
    LedgerLine,
    MatchKind,
)
from gonghui.funds.permissions import require_funds
from gonghui.funds.reports import Report, Row
from gonghui.funds.services.ledger import to_amount
from gonghui.funds.sums import fen
from gonghui.orgs.models import Org

ZERO = Decimal("0.00")
MAX_LINES = 50000
DATE_WINDOW_DAYS = 5

# statement column → the headers banks use for it (the default mapping)
DEFAULT_MAPPING: dict[str, list[str]] = {
    "date": ["交易日期", "日期", "记账日期", "交易时间"],
    "amount": ["金额", "交易金额", "发生额"],
    "income": ["收入金额", "收入", "贷方发生额", "贷方金额", "存入"],
    "expense": ["支出金额", "支出", "借方发生额", "借方金额", "支取"],
    "reference": ["流水号", "交易流水号", "凭证号", "参考号", "业务编号"],
    "description": ["摘要", "用途", "附言", "备注"],
}


@dataclass(frozen=True)
class StatementRow:
    row_no: int
    date: dt.date
    amount: Decimal
    reference: str
    description: str


def _table(data: bytes) -> list[list[Any]]:
    if data[:2] == b"PK":
        from openpyxl import load_workbook  # heavy: loaded only for an import

        check_spreadsheet(data)  # a zip bomb is refused before it is unpacked
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds on a broken file
            raise ApplicationError(_("无法读取文件：请上传 .xlsx 或 .csv 格式的对账单。"),
                                   code="bad_file") from exc
        return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    try:
        text = decode_text(data)
    except UnicodeDecodeError as exc:
        raise ApplicationError(_("无法读取文件：请上传 .xlsx 或 .csv 格式的对账单。"),
                               code="bad_file") from exc
    try:
        return [list(r) for r in csv.reader(io.StringIO(text))]
    except csv.Error as exc:  # e.g. a NUL byte: not a statement
        raise ApplicationError(_("无法读取文件：请上传 .xlsx 或 .csv 格式的对账单。"),
                               code="bad_file") from exc


def read_statement(data: bytes, mapping: dict[str, str] | None = None) -> list[StatementRow]:
    """Rows of a statement. `mapping` names the header of each field (date, amount — or
    income and expense —, reference, description); the default recognises common bank
    headers. The header row is the first row that names a date and an amount column."""
    table = _table(data)
    wanted = {k: [v] for k, v in (mapping or {}).items() if v} or DEFAULT_MAPPING
    header_at, columns = -1, {}
    for i, row in enumerate(table[:20]):
        names = [cell_text(c) for c in row]
        found = {field: names.index(h) for field, headers in wanted.items()
                 for h in headers if h in names}
        if "date" in found and ("amount" in found or {"income", "expense"} <= set(found)):
            header_at, columns = i, found
            break
    if header_at < 0:
        raise ApplicationError(_("找不到表头：需要“交易日期”和“金额”（或“收入金额”“支出金额”）列，"
                                 "或在导入时指定列名。"), code="bad_header")
    out: list[StatementRow] = []
    errors: list[str] = []
    for row_no, row in enumerate(table[header_at + 1:], start=header_at + 2):
        if len(out) >= MAX_LINES:
            errors.append(_("一次最多导入 {n} 行。").format(n=MAX_LINES))
            break

        def cell(field: str, row: list[Any] = row) -> Any:
            i = columns.get(field)
            return row[i] if i is not None and i < len(row) else None

        if all(is_blank(c) for c in row):
            continue
        try:
            date = parse_date(cell("date"))
            if "amount" in columns:
                amount = parse_money(cell("amount"), allow_negative=True) or ZERO
            else:
                amount = ((parse_money(cell("income"), required=False) or ZERO)
                          - (parse_money(cell("expense"), required=False) or ZERO))
        except CellError as exc:
            errors.append(_("第 {r} 行：{m}").format(r=row_no, m=exc.message))
            continue
        if amount == 0:
            continue
        assert date is not None
        out.append(StatementRow(row_no, date, amount, cell_text(cell("reference"))[:100],
                                cell_text(cell("description"))[:255]))
    if errors:
        raise ApplicationError("；".join(errors[:20]), code="bad_rows")
    if not out:
        raise ApplicationError(_("对账单没有交易记录。"), code="empty")
    return out


def statement_import(*, union: Org, upload: IO[bytes] | Any, file_name: str, actor: Actor,
                     opening_balance: Decimal = ZERO,
                     mapping: dict[str, str] | None = None) -> BankStatement:
    """Store a statement of `union`'s bank account. Needs `funds.write`."""
    require_funds(actor, Capability.FUNDS_WRITE, union)
    opening = to_amount(opening_balance)
    rows = read_statement(upload.read(), mapping)
    with transaction.atomic():
        statement = BankStatement.objects.create(
            union=union, file_name=file_name[:255], opening_balance=opening,
            date_from=min(r.date for r in rows), date_to=max(r.date for r in rows),
            imported_by=actor_user(actor))
        BankStatementLine.objects.bulk_create(
            [BankStatementLine(statement=statement, union=union, row_no=r.row_no, date=r.date,
                               amount=r.amount, reference=r.reference,
                               description=r.description) for r in rows], batch_size=2000)
        audit_record(actor=actor, action="funds.statement_import", obj=statement,
                     org_path=union.path, object_repr=f"{union.name} {file_name}",
                     after={"lines": len(rows), "from": statement.date_from,
                            "to": statement.date_to})
    return statement


def _open_statement_lines(statement: BankStatement) -> Any:
    """The statement's lines not matched yet (on the statement's shard: its union)."""
    return BankStatementLine.objects.filter(
        no_related_in_union(BankMatch, "statement_line"), statement=statement,
        union=statement.union_id)


def _unmatched_ledger(union: Org, date_from: dt.date, date_to: dt.date) -> Any:
    return (LedgerLine.objects.filter(
        same_union("account"), same_union("transaction"),
        no_related_in_union(BankMatch, "ledger_line"), union=union, account__code=BANK,
        transaction__date__gte=date_from, transaction__date__lte=date_to)
        .select_related("transaction"))


def auto_match(*, union: Org, statement: BankStatement, actor: Actor,
               window_days: int = DATE_WINDOW_DAYS) -> int:
    """Match the statement's open lines to open ledger bank lines of the same amount dated
    within `window_days`. Pairs are taken best first — the statement's reference found in the
    voucher's memo or key, then the nearest date, then file and posting order — so two equal
    amounts on different days pair by date, never crosswise. Returns the number matched."""
    require_funds(actor, Capability.FUNDS_WRITE, union)
    window = dt.timedelta(days=window_days)
    with transaction.atomic():
        # one matcher per union at a time (two statements may compete for a ledger line)
        Book.objects.select_for_update().filter(union=union).first()
        lines = list(_open_statement_lines(statement).order_by("row_no"))
        ledger: dict[Decimal, list[LedgerLine]] = defaultdict(list)
        for line in _unmatched_ledger(union, statement.date_from - window,
                                      statement.date_to + window):
            ledger[line.amount].append(line)
        # per amount, the ledger lines in date order: a statement line looks only at its window
        dates: dict[Decimal, list[dt.date]] = {}
        for amount, group in ledger.items():
            group.sort(key=lambda ln: (ln.transaction.date, ln.pk))
            dates[amount] = [ln.transaction.date for ln in group]
        pairs = []
        for s in lines:
            same = ledger.get(s.amount)
            if not same:
                continue
            days_of = dates[s.amount]
            lo = bisect.bisect_left(days_of, s.date - window)
            hi = bisect.bisect_right(days_of, s.date + window)
            for candidate in same[lo:hi]:
                tx = candidate.transaction
                days = abs((tx.date - s.date).days)
                ref = bool(s.reference) and (s.reference in tx.memo
                                             or s.reference in tx.idempotency_key)
                pairs.append((not ref, days, s.row_no, candidate.pk, s, candidate))
        pairs.sort(key=lambda p: p[:4])
        used_s: set[int] = set()
        used_l: set[int] = set()
        matches = []
        for *_key, s, candidate in pairs:
            if s.pk in used_s or candidate.pk in used_l:
                continue
            used_s.add(s.pk)
            used_l.add(candidate.pk)
            matches.append(BankMatch(union=union, statement_line=s, ledger_line=candidate,
                                     kind=MatchKind.AUTO, matched_by=actor_user(actor)))
        BankMatch.objects.bulk_create(matches, batch_size=2000)
        audit_record(actor=actor, action="funds.bank_auto_match", obj=statement,
                     org_path=union.path, object_repr=f"{union.name} {statement.file_name}",
                     after={"matched": len(matches)})
    return len(matches)


def match_manual(*, statement_line: BankStatementLine, ledger_line: LedgerLine,
                 actor: Actor) -> BankMatch:
    """Pair by hand (e.g. a fee netted by the bank): both of the same union, both open, the
    ledger line on the bank account; amounts must be equal."""
    union = Org.objects.get(pk=statement_line.union_id)
    require_funds(actor, Capability.FUNDS_WRITE, union)
    if ledger_line.union_id != union.pk or ledger_line.account.code != BANK:
        raise ApplicationError(_("只能与本工会“银行存款”科目的分录对账。"), code="bad_line")
    if ledger_line.amount != statement_line.amount:
        raise ApplicationError(_("金额不一致：对账单 {a}，账簿 {b}。").format(
            a=statement_line.amount, b=ledger_line.amount), code="amount_mismatch")
    try:
        with transaction.atomic():
            match = BankMatch.objects.create(union=union, statement_line=statement_line,
                                             ledger_line=ledger_line, kind=MatchKind.MANUAL,
                                             matched_by=actor_user(actor))
            audit_record(actor=actor, action="funds.bank_match", obj=match, org_path=union.path,
                         after={"statement_line": statement_line.pk,
                                "ledger_line": ledger_line.pk})
    except IntegrityError as exc:
        raise Conflict(_("该笔已经对上。"), code="already_matched") from exc
    return match


def match_undo(*, match: BankMatch, actor: Actor) -> None:
    union = Org.objects.get(pk=match.union_id)
    require_funds(actor, Capability.FUNDS_WRITE, union)
    with transaction.atomic():
        audit_record(actor=actor, action="funds.bank_unmatch", obj=match, org_path=union.path,
                     before={"statement_line": match.statement_line_id,
                             "ledger_line": match.ledger_line_id})
        match.delete()


def unmatched(union: Org, statement: BankStatement) -> tuple[list[BankStatementLine],
                                                              list[LedgerLine]]:
    """Internal use (the caller reached the statement through access): open items on both
    sides up to the statement's last day."""
    bank = list(_open_statement_lines(statement).order_by("date", "row_no"))
    ledger = list(_unmatched_ledger(union, statement.date_from, statement.date_to)
                  .order_by("transaction__date", "id"))
    return bank, ledger


def matches_of(statement: BankStatement) -> Any:
    """Internal use: the statement's matches with both lines and the voucher, in statement
    order (every join on the union too: co-located on Citus)."""
    return (BankMatch.objects.filter(
        same_union("statement_line"), same_union("ledger_line"),
        same_union("ledger_line__transaction"), union=statement.union_id,
        statement_line__statement=statement)
        .select_related("statement_line", "ledger_line__transaction")
        .order_by("statement_line__date", "statement_line__row_no"))


def reconciliation(union: Org, statement: BankStatement) -> Report:
    """银行存款余额调节表 at the statement's last day. Both adjusted balances must agree."""
    bank_items, ledger_items = unmatched(union, statement)
    ledger_balance = fen(LedgerLine.objects.filter(
        same_union("account"), same_union("transaction"), union=union, account__code=BANK,
        transaction__date__lte=statement.date_to).aggregate(s=Sum("amount"))["s"])
    bank_balance = statement.opening_balance + fen(
        BankStatementLine.objects.filter(statement=statement, union=statement.union_id)
        .aggregate(s=Sum("amount"))["s"])
    bank_in = sum((s.amount for s in bank_items if s.amount > 0), ZERO)
    bank_out = -sum((s.amount for s in bank_items if s.amount < 0), ZERO)
    book_in = sum((ln.amount for ln in ledger_items if ln.amount > 0), ZERO)
    book_out = -sum((ln.amount for ln in ledger_items if ln.amount < 0), ZERO)
    adjusted_book = ledger_balance + bank_in - bank_out
    adjusted_bank = bank_balance + book_in - book_out
    report = Report(
        kind="bank", title=_("银行存款余额调节表"), org=union, rollup=False,
        period_label=_("截至 {d}").format(d=statement.date_to.isoformat()),
        columns=[_("项目"), _("金额"), _("项目"), _("金额")], money_columns={1, 3})
    report.rows += [
        Row([_("单位银行存款日记账余额"), ledger_balance, _("银行对账单余额"), bank_balance],
            strong=True),
        Row([_("加：银行已收、单位未收"), bank_in, _("加：单位已收、银行未收"), book_in], level=1),
        Row([_("减：银行已付、单位未付"), bank_out, _("减：单位已付、银行未付"), book_out],
            level=1),
        Row([_("调节后余额"), adjusted_book, _("调节后余额"), adjusted_bank], strong=True),
    ]
    for s in bank_items:
        report.notes.append(_("银行未达 {d} {a} {r} {m}").format(
            d=s.date, a=s.amount, r=s.reference, m=s.description))
    for ln in ledger_items:
        report.notes.append(_("账簿未达 {d} {a} {v} {m}").format(
            d=ln.transaction.date, a=ln.amount, v=ln.transaction.voucher_label,
            m=ln.transaction.memo))
    report.notes.append(_("调节后余额相符。") if adjusted_book == adjusted_bank
                        else _("调节后余额不符，相差 {d} 元。").format(d=adjusted_book - adjusted_bank))
    return report


def statements_of(union: Org) -> Any:
    return BankStatement.objects.filter(union=union).order_by("-date_to", "-id")


