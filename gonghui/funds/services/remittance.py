"""The employer remittance register (拨缴经费台账): declarations of an employer's monthly payroll
(typed in or imported from .xlsx), the 2 % due on each, the payments received against them.

An employer's allocation is collected by the union that covers it (`Employer.union`), or, when
none does yet, by its area's federation (`Employer.area`). Arrears (欠缴) of a month = due − paid,
exact to the fen; negative arrears is an overpayment (多缴). A payment is posted to the
collecting union's book like the 拨缴经费 page's entry (bank ← kept share 拨缴经费收入 + the rest
应付上级经费), or links the allocation posting that is already in the ledger.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.audit.services import audit_record
from gonghui.core.actor import Actor, actor_name, actor_user
from gonghui.core.cells import CellError, cell_text, first_sheet, is_blank, parse_money
from gonghui.core.errors import ApplicationError, Conflict, NotFound
from gonghui.core.money import FEN, format_yuan
from gonghui.funds.chart import ALLOCATION, BANK, PAYABLE_UP
from gonghui.funds.models import EmployerPayment, LedgerTransaction, PayrollDeclaration
from gonghui.funds.permissions import require_funds
from gonghui.funds.services.ledger import post_transaction, require_open_book
from gonghui.funds.services.rules import ALLOCATION_RATE, kept_ratio_for
from gonghui.orgs.models import Employer, Org

MAX_ROWS = 20_000


def allocation_due(payroll: Decimal) -> Decimal:
    """2 % of the payroll (工会法: an employer with a union pays 2 % of its monthly payroll to
    the union), rounded half up to the fen."""
    return (payroll * ALLOCATION_RATE).quantize(FEN, rounding=ROUND_HALF_UP)


def collecting_union(employer: Employer) -> Org:
    """The union that collects `employer`'s allocation: its own union, else its area's."""
    union = employer.union
    return union if union is not None else employer.area


def employers_in(union: Org) -> QuerySet[Employer]:
    """Employers whose allocation a union of `union`'s subtree collects (internal: the caller
    has checked the viewer can read `union`)."""
    return Employer.objects.filter(
        Q(union__path__startswith=union.path)
        | Q(union__isnull=True, area__path__startswith=union.path))


def parse_period(value: Any) -> int:
    """A month as 2026-03, 2026/3, 202603, 2026年3月 or a date → 202603."""
    if isinstance(value, dt.date):
        return value.year * 100 + value.month
    text = cell_text(value)
    match = (re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?", text)
             or re.fullmatch(r"(\d{4})(\d{2})", text)
             or re.fullmatch(r"(\d{4})-(\d{2})-\d{2}(?:[ T].*)?", text))
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if 1900 <= year <= 2999 and 1 <= month <= 12:
            return year * 100 + month
    raise ApplicationError(_("月份“{v}”无法识别，请填写如 2026-03。").format(v=text or value),
                           code="bad_period")


def period_label(period: int) -> str:
    return f"{period // 100}-{period % 100:02d}"


def _employer_of(union: Org, employer: Employer | int) -> Employer:
    """`employer` if a union of `union`'s subtree collects its allocation, else 404."""
    pk = employer.pk if isinstance(employer, Employer) else int(employer)
    found = employers_in(union).select_related("union", "area").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("该用人单位不在本工会的范围内。"))
    return found


def _payroll(value: Any) -> Decimal:
    if isinstance(value, float):
        raise ApplicationError(_("金额必须精确到分，不能用浮点数。"), code="float_amount")
    try:
        amount = parse_money(value, allow_zero=True)
    except CellError as exc:
        raise ApplicationError(exc.message, code="bad_amount") from exc
    assert amount is not None  # required
    return amount


def declaration_set(*, union: Org, employer: Employer | int, period: Any, payroll: Any,
                    actor: Actor) -> PayrollDeclaration:
    """Enter (or correct) `employer`'s payroll of `period`; the due is 2 % of it. Needs
    funds.write over the collecting union. A correction keeps the payments made."""
    found = _employer_of(union, employer)
    collector = collecting_union(found)
    require_funds(actor, Capability.FUNDS_WRITE, collector)
    month = parse_period(period)
    amount = _payroll(payroll)
    due = allocation_due(amount)
    with transaction.atomic():
        current = (PayrollDeclaration.objects.select_for_update()
                   .filter(union=collector, employer=found, period=month).first())
        before = ({"payroll": str(current.payroll), "due": str(current.due)}
                  if current else None)
        if current is None:
            try:
                with transaction.atomic():
                    current = PayrollDeclaration.objects.create(
                        union=collector, employer=found, period=month, payroll=amount, due=due,
                        declared_by=actor_user(actor), declared_by_name=actor_name(actor))
            except IntegrityError:
                # a concurrent entry of the same month won: correct that one
                current = PayrollDeclaration.objects.select_for_update().get(
                    union=collector, employer=found, period=month)
                before = {"payroll": str(current.payroll), "due": str(current.due)}
        if before is not None:
            if current.payroll == amount:
                return current
            current.payroll, current.due = amount, due
            current.declared_by, current.declared_by_name = actor_user(actor), actor_name(actor)
            current.save(update_fields=["payroll", "due", "declared_by", "declared_by_name",
                                        "updated_at"])
        audit_record(actor=actor, action="funds.payroll_declare", obj=current,
                     org_path=collector.path,
                     object_repr=f"{found.name} {period_label(month)}", before=before,
                     after={"payroll": str(amount), "due": str(due)})
    return current


# --- .xlsx import --------------------------------------------------------------------------

_HEADERS = {"统一社会信用代码": "uscc", "信用代码": "uscc", "单位名称": "name", "用人单位": "name",
            "月份": "period", "所属月份": "period", "工资总额": "payroll", "职工工资总额": "payroll"}


@dataclass
class DeclarationRow:
    row: int
    employer: Employer
    period: int
    payroll: Decimal


def read_declarations_xlsx(union: Org, upload: IO[bytes] | Any) -> list[DeclarationRow]:
    """Rows of the first sheet: a header with 统一社会信用代码 (or 单位名称), 月份 and 工资总额.
    Every bad row is reported at once with its number; nothing is written while any is bad."""
    columns, rows = first_sheet(upload, _HEADERS, code="bad_file")
    found = set(columns.values())
    if not {"period", "payroll"} <= found or not found & {"uscc", "name"}:
        raise ApplicationError(_("表头须包含：统一社会信用代码（或单位名称）、月份、工资总额。"),
                               code="bad_header")
    employers = list(employers_in(union).select_related("union", "area"))
    by_uscc = {e.uscc: e for e in employers if e.uscc}
    by_name: dict[str, list[Employer]] = {}
    for e in employers:
        by_name.setdefault(e.name, []).append(e)
    out: list[DeclarationRow] = []
    errors: list[str] = []
    seen: dict[tuple[int, int], int] = {}
    for row_no, values in enumerate(rows, start=2):
        if row_no > MAX_ROWS + 1:
            errors.append(_("最多 {n} 行。").format(n=MAX_ROWS))
            break
        raw = {key: values[i] if i < len(values) else None for i, key in columns.items()}
        if all(is_blank(v) for v in raw.values()):
            continue
        try:
            employer = _row_employer(raw, by_uscc, by_name)
            period = parse_period(raw.get("period"))
            payroll = parse_money(raw.get("payroll"))
        except (CellError, ApplicationError) as exc:
            errors.append(_("第 {r} 行：{m}").format(r=row_no, m=exc.message))
            continue
        assert payroll is not None
        if (employer.pk, period) in seen:
            errors.append(_("第 {r} 行：与第 {o} 行重复（同一单位同一月份）。").format(
                r=row_no, o=seen[(employer.pk, period)]))
            continue
        seen[(employer.pk, period)] = row_no
        out.append(DeclarationRow(row_no, employer, period, payroll))
    if errors:
        raise ApplicationError("；".join(errors[:20]), code="bad_rows",
                               extra={"errors": errors})
    if not out:
        raise ApplicationError(_("表格中没有数据行。"), code="empty_file")
    return out


def _row_employer(raw: dict[str, Any], by_uscc: dict[str, Employer],
                  by_name: dict[str, list[Employer]]) -> Employer:
    uscc = cell_text(raw.get("uscc")).upper()
    if uscc:
        if uscc not in by_uscc:
            raise ApplicationError(_("统一社会信用代码 {c} 不是本工会范围内的用人单位。").format(
                c=uscc), code="unknown_employer")
        return by_uscc[uscc]
    name = cell_text(raw.get("name"))
    matches = by_name.get(name, [])
    if len(matches) != 1:
        raise ApplicationError(
            _("单位名称“{n}”不是本工会范围内的用人单位。").format(n=name) if not matches else
            _("单位名称“{n}”有 {k} 家同名单位，请填写统一社会信用代码。").format(
                n=name, k=len(matches)), code="unknown_employer")
    return matches[0]


def declarations_import(*, union: Org, upload: IO[bytes] | Any, actor: Actor) -> int:
    """Import declarations from .xlsx (all rows or none); returns how many were entered or
    corrected. Needs funds.write over every collecting union named."""
    rows = read_declarations_xlsx(union, upload)
    with transaction.atomic():
        for row in rows:
            declaration_set(union=union, employer=row.employer, period=row.period,
                            payroll=row.payroll, actor=actor)
    return len(rows)


# --- payments ------------------------------------------------------------------------------


def _bank_amount(tx: LedgerTransaction) -> Decimal:
    return sum((ln.amount for ln in tx.lines_with_accounts()
                if ln.account.code == BANK and ln.amount > 0), Decimal("0.00"))


def payment_record(*, union: Org, employer: Employer | int, period: Any, paid_on: dt.date,
                   actor: Actor, amount: Any = None, idempotency_key: str = "",
                   link: LedgerTransaction | None = None, note: str = "") -> EmployerPayment:
    """Record `employer`'s payment against the declaration of `period`.

    Without `link` the payment is posted to the collecting union's book (bank ← 拨缴经费收入
    for the kept share, 应付上级经费 for the rest; key `remittance:<employer>:<period>:<key>`,
    so a double submit records once). With `link` the allocation posting already in the ledger
    (its bank receipt is the amount) is tied to the month instead. Needs funds.write."""
    found = _employer_of(union, employer)
    collector = collecting_union(found)
    require_funds(actor, Capability.FUNDS_WRITE, collector)
    require_open_book(collector)
    month = parse_period(period)
    with transaction.atomic():
        declaration = (PayrollDeclaration.objects.select_for_update()
                       .filter(union=collector, employer=found, period=month).first())
        if declaration is None:
            raise ApplicationError(
                _("{e} {p} 尚未申报工资总额，请先录入申报。").format(
                    e=found.name, p=period_label(month)), code="no_declaration")
        if link is not None:
            tx, value = _linkable(link, collector)
        else:
            value = _payroll(amount)
            if value <= 0:
                raise ApplicationError(_("金额必须大于零。"), code="bad_amount")
            key = (idempotency_key or "").strip()
            if not key:
                raise ApplicationError(_("缺少幂等键。"), code="bad_key")
            tx = _post(collector, found, month, value, paid_on, key, actor)
            if not tx.was_created:
                earlier = EmployerPayment.objects.filter(union=collector, transaction=tx).first()
                if earlier is not None:
                    return earlier
        try:
            with transaction.atomic():
                payment = EmployerPayment.objects.create(
                    declaration=declaration, union=collector, paid_on=paid_on, amount=value,
                    transaction=tx, note=note.strip()[:255], created_by=actor_user(actor),
                    created_by_name=actor_name(actor))
        except IntegrityError as exc:
            raise Conflict(_("凭证 {v} 已登记为另一笔拨缴到账。").format(v=tx.voucher_label),
                           code="already_linked") from exc
        PayrollDeclaration.objects.filter(pk=declaration.pk).update(paid=F("paid") + value)
        declaration.refresh_from_db(fields=["paid"])
        audit_record(actor=actor, action="funds.employer_payment", obj=payment,
                     org_path=collector.path,
                     object_repr=f"{found.name} {period_label(month)}",
                     after={"amount": str(value), "paid_on": paid_on,
                            "voucher": tx.voucher_label, "linked": link is not None,
                            "paid": str(declaration.paid),
                            "arrears": str(declaration.arrears)})
    return payment


def _linkable(tx: LedgerTransaction, collector: Org) -> tuple[LedgerTransaction, Decimal]:
    if tx.union_id != collector.pk:
        raise ApplicationError(_("只能关联收缴工会账簿中的凭证。"), code="wrong_union")
    if tx.source not in ("funds.allocation", "funds.remittance") or tx.reversal_of_id:
        raise ApplicationError(_("只能关联拨缴经费收入凭证。"), code="not_allocation")
    if LedgerTransaction.objects.filter(union=tx.union_id, reversal_of=tx).exists():
        raise ApplicationError(_("该凭证已冲销，不能关联。"), code="reversed")
    value = _bank_amount(tx)
    if value <= 0:
        raise ApplicationError(_("该凭证没有银行存款收入。"), code="not_allocation")
    return tx, value


def _post(collector: Org, employer: Employer, month: int, value: Decimal, paid_on: dt.date,
          key: str, actor: Actor) -> LedgerTransaction:
    ratio, _rule = kept_ratio_for(collector)
    kept = (value * ratio).quantize(FEN, rounding=ROUND_HALF_UP)
    up = value - kept
    lines = [(BANK, value)]
    if kept:
        lines.append((ALLOCATION, -kept))
    if up:
        lines.append((PAYABLE_UP, -up))
    memo = _("{e} 拨缴经费 {p} 到账 {a}").format(e=employer.name[:100], p=period_label(month),
                                              a=format_yuan(value))
    return post_transaction(union=collector, date=paid_on, memo=memo[:255], lines=lines,
                            idempotency_key=f"remittance:{employer.pk}:{month}:{key}"[:128],
                            actor=actor, source="funds.remittance")
