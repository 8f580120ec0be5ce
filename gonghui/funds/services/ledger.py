"""THE way to write the funds ledger. Every module (funds pages, mutual aid payouts, hardship aid)
posts through `post_transaction` or its convenience wrappers; nothing else inserts ledger rows.

Contract (also at the top of docs/funds.md):
- lines are (account code, Decimal amount) with debit positive and credit negative; they must
  sum to exactly zero, at least two lines, amounts exact to the fen (no floats, no 0.001);
- `idempotency_key` names the business event; posting the same key in the same union again
  returns the first transaction (`tx.was_created` is False) and creates nothing, also under
  concurrency (the unique constraint decides, never a prior check); the same key with different
  lines raises Conflict;
- a date inside a closed month/year raises ApplicationError (code "period_closed");
- the caller authorises: this function does not check the actor's capabilities (a payout is
  authorised by the mutual-aid rules, a spending entry by `funds.write`), it records the actor
  and writes the audit row in the same database transaction. Its eligibility rule holds for
  every caller: a merged or dissolved union's book takes no new postings.

`reverse_transaction` and `evidence_attach` are the treasurer's own actions and check
`funds.write` themselves.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, cast

from django.core.files.base import ContentFile, File
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Sum
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.audit.services import audit_record
from gonghui.core import clock
from gonghui.core.actor import Actor, actor_name, actor_user
from gonghui.core.cells import CellError, parse_money
from gonghui.core.errors import ApplicationError, Conflict
from gonghui.funds.chart import BANK, CASH, HEADER_CODES, STANDARD_CHART
from gonghui.funds.models import (
    CLOSING_MONTH,
    Account,
    Book,
    ClosedPeriod,
    Evidence,
    LedgerLine,
    LedgerTransaction,
    PeriodBalance,
    VoucherScheme,
    VoucherType,
)
from gonghui.funds.permissions import require_funds
from gonghui.funds.sums import fen
from gonghui.orgs.models import Org

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
# magic bytes → (content type, extension): invoice scans are PDFs or images
_EVIDENCE_TYPES = [
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"RIFF", "image/webp", "webp"),
]


def period_of(date: dt.date) -> int:
    return date.year * 100 + date.month


def chart_ensure(union: Org) -> Book:
    """Create `union`'s book and standard chart if missing (idempotent, safe under concurrency:
    inserts ignore conflicts on the unique constraints)."""
    book = Book.objects.filter(union=union).first()
    if book is not None:
        return book
    with transaction.atomic():
        Book.objects.bulk_create([Book(union=union)], ignore_conflicts=True)
        Account.objects.bulk_create(
            [Account(union=union, code=code, name=name, category=cat, parent_code=parent)
             for code, name, cat, parent in STANDARD_CHART],
            ignore_conflicts=True,
        )
    return Book.objects.get(union=union)


MAX_AMOUNT = Decimal("1000000000000")  # 10^12 yuan: MoneyField's 14 digits with 2 decimals


def to_amount(value: Any) -> Decimal:
    """An amount handed to a service (a Decimal from a form or the API, a str or int from code):
    `core.cells.parse_money`'s rules (to the fen, signed), but never a float — a binary float
    is not an amount of money and is refused before any parsing."""
    if isinstance(value, float):
        raise ApplicationError(_("金额不能使用浮点数。"), code="float_amount")
    try:
        amount = parse_money(value, allow_negative=True, maximum=MAX_AMOUNT)
    except CellError as exc:
        raise ApplicationError(exc.message, code="bad_amount") from None
    return cast(Decimal, amount)  # required=True: a blank value raised above


def require_open_book(union: Org) -> None:
    """Eligibility: a merged or dissolved union's book takes nothing new (postings, budgets,
    dues lists, rules); its history stays readable and auditable."""
    if not union.is_active:
        raise ApplicationError(_("“{name}”已合并或撤销，不能再记账。").format(name=union.name),
                               code="union_closed")


def normalize_lines(lines: Sequence[tuple[str, Any]]) -> list[tuple[str, Decimal]]:
    """Validate lines: exact fen amounts, none zero, at least two, sum exactly zero. Lines on
    the same account are kept apart (a transfer between two sub-ledgers is legitimate)."""
    out: list[tuple[str, Decimal]] = []
    for code, amount in lines:
        value = to_amount(amount)
        if value == 0:
            raise ApplicationError(_("分录金额不能为零（科目 {code}）。").format(code=code),
                                   code="zero_line")
        out.append((str(code).strip(), value))
    if len(out) < 2:
        raise ApplicationError(_("一笔凭证至少要有两条分录。"), code="too_few_lines")
    total = sum((v for _c, v in out), Decimal("0.00"))
    if total != 0:
        raise ApplicationError(
            _("借贷不平衡：借方合计与贷方合计相差 {diff} 元。").format(diff=total),
            code="unbalanced",
        )
    return out


def closed_period_for(union: Org, date: dt.date) -> ClosedPeriod | None:
    return (ClosedPeriod.objects.filter(union=union, year=date.year, month__in=[0, date.month])
            .order_by("month").first())


def _raise_if_closed(union: Org, date: dt.date, *, closing_entry: bool = False) -> None:
    if closing_entry:
        # the closing entry sits after December: only the closed year itself refuses it
        closed = ClosedPeriod.objects.filter(union=union, year=date.year, month=0).first()
    else:
        closed = closed_period_for(union, date)
    if closed is not None:
        label = (_("{y} 年度").format(y=closed.year) if closed.month == 0
                 else _("{y} 年 {m} 月").format(y=closed.year, m=closed.month))
        raise ApplicationError(
            _("{label}已结账，不能再记入该期间；请在未结账期间做冲销或更正分录。").format(label=label),
            code="period_closed",
        )


def _accounts(union: Org, codes: Iterable[str]) -> dict[str, Account]:
    wanted = set(codes)
    found = {a.code: a for a in Account.objects.filter(union=union, code__in=wanted)}
    missing = wanted - set(found)
    if missing:
        raise ApplicationError(
            _("科目不存在：{codes}").format(codes="、".join(sorted(missing))), code="unknown_account"
        )
    headers = sorted(c for c in wanted if c in HEADER_CODES)
    if headers:
        raise ApplicationError(
            _("科目 {codes} 有明细科目，请记入明细科目。").format(codes="、".join(headers)),
            code="header_account",
        )
    inactive = sorted(c for c, a in found.items() if not a.is_active)
    if inactive:
        raise ApplicationError(_("科目已停用：{codes}").format(codes="、".join(inactive)),
                               code="inactive_account")
    return found


def _add_to_balances(union: Org, period: int, lines: list[LedgerLine],
                     accounts: dict[int, Account]) -> None:
    """Add the lines to the month's balances in one upsert (same SQL on PostgreSQL and SQLite).
    Rows are touched in account order so two postings can never deadlock on them."""
    sums: dict[int, list[Decimal]] = {}
    for line in lines:
        debit_credit = sums.setdefault(line.account_id, [Decimal("0.00"), Decimal("0.00")])
        if line.amount > 0:
            debit_credit[0] += line.amount
        else:
            debit_credit[1] -= line.amount
    rows = []
    params: list[Any] = []
    for account_id in sorted(sums):
        debit, credit = sums[account_id]
        rows.append("(%s, %s, %s, %s, %s, %s)")
        params += [union.pk, account_id, accounts[account_id].code, period, debit, credit]
    table = PeriodBalance._meta.db_table
    sql = (
        f"INSERT INTO {table} (union_id, account_id, account_code, period, debit, credit) "  # noqa: S608
        f"VALUES {', '.join(rows)} "
        f"ON CONFLICT (union_id, account_id, period) DO UPDATE SET "
        f"debit = {table}.debit + excluded.debit, credit = {table}.credit + excluded.credit"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def voucher_type_for(scheme: str, lines: Sequence[tuple[str, Decimal]]) -> VoucherType:
    """凭证字: 记 in the single scheme; otherwise 收 when money (cash or bank) only comes in,
    付 when any money goes out (a cash deposit into the bank is a 付 voucher by convention), 转
    when no money account is touched."""
    if scheme != VoucherScheme.SPLIT:
        return VoucherType.GENERAL
    money = [amount for code, amount in lines if code in (BANK, CASH)]
    if not money:
        return VoucherType.TRANSFER
    return VoucherType.PAYMENT if any(a < 0 for a in money) else VoucherType.RECEIPT


def _next_voucher_no(union: Org, period: int, voucher_type: str) -> int:
    """The next number of the sequence. Gap-free and unique because the caller holds the
    union's Book row lock (every posting takes it) and a rolled-back posting leaves no number
    behind; the unique constraint on (union, period, type, number) is the backstop."""
    top = (LedgerTransaction.objects.filter(union=union, period=period, voucher_type=voucher_type)
           .aggregate(n=Max("voucher_no"))["n"])
    return (top or 0) + 1


def _evidence_files(evidence: Any) -> list[File]:
    if evidence is None:
        return []
    if isinstance(evidence, list | tuple):
        return list(evidence)
    return [evidence]


def _sniff(head: bytes) -> tuple[str, str] | None:
    for magic, content_type, ext in _EVIDENCE_TYPES:
        if head.startswith(magic):
            if ext == "webp" and head[8:12] != b"WEBP":
                continue
            return content_type, ext
    return None


def check_evidence_file(upload: File) -> tuple[bytes, str, str]:
    """Read and check an evidence file: PDF, PNG, JPEG or WebP, at most 10 MB."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_EVIDENCE_BYTES:
        raise ApplicationError(_("凭证文件不能超过 10 MB。"), code="evidence_too_large")
    upload.seek(0)
    data = upload.read()
    if len(data) > MAX_EVIDENCE_BYTES:
        raise ApplicationError(_("凭证文件不能超过 10 MB。"), code="evidence_too_large")
    if not data:
        raise ApplicationError(_("凭证文件是空的。"), code="evidence_empty")
    kind = _sniff(data[:16])
    if kind is None:
        raise ApplicationError(_("凭证文件只能是 PDF、PNG、JPEG 或 WebP 格式。"),
                               code="evidence_type")
    return data, kind[0], kind[1]


def _store_evidence(tx: LedgerTransaction, upload: File, actor: Actor) -> Evidence:
    data, content_type, ext = check_evidence_file(upload)
    digest = hashlib.sha256(data).hexdigest()
    original = (getattr(upload, "name", "") or f"evidence.{ext}").rsplit("/", 1)[-1][:255]
    item = Evidence(union_id=tx.union_id, transaction=tx, original_name=original,
                    content_type=content_type, size=len(data), sha256=digest,
                    uploaded_by=actor_user(actor))
    # content-addressed name: a rolled-back posting leaves at most an unreferenced copy
    item.file.save(f"evidence.{ext}", ContentFile(data), save=False)
    item.save()
    return item


def _same_event(existing: LedgerTransaction, lines: list[tuple[str, Decimal]]) -> bool:
    stored = sorted((line.account.code, line.amount)
                    for line in existing.lines_with_accounts())
    return stored == sorted(lines)


def _actor_fields(actor: Actor) -> dict[str, Any]:
    return {"created_by": actor_user(actor), "created_by_name": actor_name(actor)}


def post_transaction(
    *,
    union: Org,
    date: dt.date,
    memo: str,
    lines: Sequence[tuple[str, Decimal]],
    idempotency_key: str,
    actor: Actor,
    source: str = "",
    evidence: Any = None,
    reversal_of: LedgerTransaction | None = None,
    source_label: str = "",
    source_url: str = "",
    closing_entry: bool = False,
) -> LedgerTransaction:
    """Post a balanced transaction into `union`'s book, once per `idempotency_key`.

    The transaction gets its voucher number (凭证号) here, under the Book lock: the next of its
    union, period and voucher type (`voucher_type_for` the book's scheme). `closing_entry` is
    the year-end closing's own (services.yearend): dated 31 December, in the closing period
    (month 13), refused only once the year is closed.

    Returns the new transaction (`was_created=True`) or the one posted earlier with the same key
    (`was_created=False`). Raises ApplicationError for unbalanced/invalid lines, unknown or
    header accounts, a closed period or an inactive union; Conflict when the key was used for
    different lines. `evidence`: an uploaded file or a list of them (PDF/PNG/JPEG/WebP).
    """
    key = (idempotency_key or "").strip()
    if not key or len(key) > 128:
        raise ApplicationError(_("幂等键必须是 1 到 128 个字符。"), code="bad_key")
    memo = (memo or "").strip()
    if not memo:
        raise ApplicationError(_("请填写摘要。"), code="memo_required")
    if len(memo) > 255:
        raise ApplicationError(_("摘要不能超过 255 个字符。"), code="memo_too_long")
    normalized = normalize_lines(lines)
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        raise ApplicationError(_("记账日期不正确。"), code="bad_date")

    try:
        with transaction.atomic():
            earlier = _existing(union, key, normalized)
            if earlier is not None:
                return earlier
            require_open_book(union)
            # Closing takes the same lock: a month cannot close while a posting into it is in flight.
            book = Book.objects.select_for_update().filter(union=union).first()
            if book is None:
                chart_ensure(union)
                book = Book.objects.select_for_update().get(union=union)
            if closing_entry and (date.month, date.day) != (12, 31):
                raise ApplicationError(_("结账凭证必须记在 12 月 31 日。"), code="bad_date")
            _raise_if_closed(union, date, closing_entry=closing_entry)
            accounts = _accounts(union, {code for code, _v in normalized})
            period = date.year * 100 + CLOSING_MONTH if closing_entry else period_of(date)
            voucher_type = voucher_type_for(book.voucher_scheme, normalized)
            try:
                with transaction.atomic():
                    tx = LedgerTransaction.objects.create(
                        union=union, date=date, period=period, memo=memo,
                        voucher_type=voucher_type,
                        voucher_no=_next_voucher_no(union, period, voucher_type),
                        source=source[:64], idempotency_key=key, reversal_of=reversal_of,
                        source_label=source_label[:255], source_url=source_url[:255],
                        **_actor_fields(actor),
                    )
            except IntegrityError:
                # A concurrent posting of the same event won the unique constraint.
                earlier = _existing(union, key, normalized)
                if earlier is None:
                    raise
                return earlier
            line_rows = LedgerLine.objects.bulk_create(
                [LedgerLine(transaction=tx, union=union, account=accounts[code], amount=amount)
                 for code, amount in normalized]
            )
            _add_to_balances(union, tx.period, line_rows, {a.pk: a for a in accounts.values()})
            stored = [_store_evidence(tx, f, actor) for f in _evidence_files(evidence)]
            audit_record(
                actor=actor, action="funds.post", obj=tx, org_path=union.path,
                after={"date": date, "memo": memo, "source": source, "key": key,
                       **({"source_label": source_label} if source_label else {}),
                       "lines": [[code, str(amount)] for code, amount in normalized],
                       "reversal_of": reversal_of.pk if reversal_of else None,
                       "voucher": tx.voucher_label,
                       "evidence": [e.original_name for e in stored]},
            )
    except ApplicationError as exc:
        if exc.code == "period_closed":
            # 经审: a refused posting into a closed period is logged (outside the rolled-
            # back transaction), so the auditors see who tried to change a closed month
            audit_record(actor=actor, action="funds.late_posting_refused", obj=None,
                         object_type="funds.union", object_id=str(union.pk),
                         object_repr=union.name, org_path=union.path,
                         note=f"{date.isoformat()} {memo}"[:255],
                         after={"date": date, "key": key, "source": source})
        raise
    tx.was_created = True
    return tx


def _existing(union: Org, key: str, lines: list[tuple[str, Decimal]]) -> LedgerTransaction | None:
    tx = LedgerTransaction.objects.filter(union=union, idempotency_key=key).first()
    if tx is None:
        return None
    if not _same_event(tx, lines):
        raise Conflict(
            _("幂等键“{key}”已用于另一笔内容不同的凭证（#{pk}）。").format(key=key, pk=tx.pk),
            code="idempotency_mismatch",
        )
    tx.was_created = False
    return tx


def post_income(
    *, union: Org, date: dt.date, account_code: str, amount: Decimal, memo: str,
    idempotency_key: str, actor: Actor, source: str = "", evidence: Any = None,
    into: str = BANK,
) -> LedgerTransaction:
    """Income received: debit bank (or `into`, e.g. 1001 库存现金), credit the income account."""
    value = to_amount(amount)
    if value <= 0:
        raise ApplicationError(_("金额必须大于零。"), code="non_positive")
    return post_transaction(union=union, date=date, memo=memo, lines=[(into, value),
                            (account_code, -value)], idempotency_key=idempotency_key,
                            actor=actor, source=source, evidence=evidence)


def post_expense(
    *, union: Org, date: dt.date, account_code: str, amount: Decimal, memo: str,
    idempotency_key: str, actor: Actor, source: str = "", evidence: Any = None,
    paid_from: str = BANK, source_label: str = "", source_url: str = "",
) -> LedgerTransaction:
    """An expense paid: debit the expense account, credit bank (or `paid_from`)."""
    value = to_amount(amount)
    if value <= 0:
        raise ApplicationError(_("金额必须大于零。"), code="non_positive")
    return post_transaction(union=union, date=date, memo=memo, lines=[(account_code, value),
                            (paid_from, -value)], idempotency_key=idempotency_key,
                            actor=actor, source=source, evidence=evidence,
                            source_label=source_label, source_url=source_url)


def reverse_transaction(
    *, tx: LedgerTransaction, actor: Actor, date: dt.date | None = None, memo: str = "",
    idempotency_key: str = "",
) -> LedgerTransaction:
    """Post the exact opposite of `tx` dated `date` (default today), which must lie in an open
    period. A transaction is reversed at most once (unique `reversal_of`); reversing again
    returns the first reversal. Needs `funds.write` over the transaction's union."""
    union = Org.objects.get(pk=tx.union_id)
    require_funds(actor, Capability.FUNDS_WRITE, union)
    if tx.reversal_of_id is not None:
        raise ApplicationError(_("冲销凭证不能再被冲销；如需恢复请重新记账。"),
                               code="reverse_reversal")
    if tx.period % 100 == CLOSING_MONTH:
        raise ApplicationError(_("结账凭证只能通过反结账冲销。"), code="reverse_closing")
    date = date or clock.today()
    lines = [(line.account.code, -line.amount) for line in tx.lines_with_accounts()]
    existing = LedgerTransaction.objects.filter(union=tx.union_id, reversal_of=tx).first()
    if existing is not None:
        existing.was_created = False
        return existing
    # the reversal gets its own voucher number and names the original's
    label = tx.voucher_label or f"#{tx.pk}"
    try:
        return post_transaction(
            union=union, date=date, memo=_("冲销 {label}：{why}").format(
                label=label, why=memo or tx.memo)[:255],
            lines=lines, idempotency_key=idempotency_key or f"reversal:{tx.pk}", actor=actor,
            source="funds.reversal", reversal_of=tx,
        )
    except IntegrityError:
        # the one-reversal-per-transaction constraint: someone reversed it concurrently
        existing = LedgerTransaction.objects.get(union=tx.union_id, reversal_of=tx)
        existing.was_created = False
        return existing


def evidence_attach(*, tx: LedgerTransaction, upload: File, actor: Actor) -> Evidence:
    """Attach another evidence file to a posted transaction (amounts are not touched, so this
    is allowed in a closed period too, and on a merged union's book: it documents the past).
    Needs `funds.write` over the transaction's union."""
    union = Org.objects.get(pk=tx.union_id)
    require_funds(actor, Capability.FUNDS_WRITE, union)
    with transaction.atomic():
        item = _store_evidence(tx, upload, actor)
        audit_record(actor=actor, action="funds.evidence_attach", obj=tx, org_path=union.path,
                     after={"evidence": item.original_name, "sha256": item.sha256})
    return item


def org_occupancy(org: Org) -> list[str]:
    """org.occupancy hook: a union still holding money (bank or cash) cannot be dissolved."""
    row = PeriodBalance.objects.filter(union=org, account_code__in=[BANK, "1001"]).aggregate(
        d=Sum("debit"), c=Sum("credit"))
    money = fen(row["d"]) - fen(row["c"])
    if money:
        return [_("经费余额 ¥{amount:,.2f} 尚未处理").format(amount=money)]
    return []
