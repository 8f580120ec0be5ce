"""Bank transfer files (代发文件) out, bank result files (回盘文件) in. CSV both ways.

Transfer file, one line per payment: 序号, 付款参考号, 收款人户名, 收款账号, 开户银行, 金额, 用途.
Result file: 付款参考号, 处理结果 (成功/失败, or S/F, paid/failed), 失败原因, and optionally
金额, 银行流水号, 交易日期. The reference (`B<batch>-<item>`) names one item of one batch, so a
payout re-sent in a later batch has a new reference and an old result line cannot pay it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

from django.utils.translation import gettext as _

from gonghui.core.errors import ApplicationError
from gonghui.core.sheets import safe_row
from gonghui.mutualaid.parsing import open_text, parse_amount, parse_date

TRANSFER_HEADER = ["序号", "付款参考号", "收款人户名", "收款账号", "开户银行", "金额", "用途"]

RESULT_HEADERS: dict[str, tuple[str, ...]] = {
    "reference": ("付款参考号", "参考号", "业务参考号", "reference"),
    "result": ("处理结果", "结果", "状态", "交易状态", "result", "status"),
    "reason": ("失败原因", "原因", "备注", "reason"),
    "amount": ("金额", "交易金额", "amount"),
    "serial": ("银行流水号", "流水号", "serial"),
    "date": ("交易日期", "处理日期", "日期", "date"),
}
PAID_WORDS = {"成功", "已成功", "支付成功", "s", "success", "paid", "0000", "00"}
FAILED_WORDS = {"失败", "支付失败", "退票", "f", "fail", "failed", "error"}
_REFERENCE = re.compile(r"^B(\d+)-(\d+)$")


@dataclass(frozen=True)
class TransferLine:
    reference: str
    payee_name: str
    account_number: str
    bank_name: str
    amount: Decimal
    purpose: str


def write_transfer_file(lines: Iterable[TransferLine]) -> bytes:
    """UTF-8 with BOM (opens correctly in Excel); account numbers stay text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(TRANSFER_HEADER)
    for n, line in enumerate(lines, start=1):
        writer.writerow(safe_row([n, line.reference, line.payee_name, line.account_number,
                                  line.bank_name, f"{line.amount:.2f}", line.purpose]))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


@dataclass(frozen=True)
class ResultLine:
    row_no: int
    reference: str
    batch_id: int
    item_id: int
    paid: bool
    reason: str
    amount: Decimal | None
    serial: str
    date: dt.date | None


@dataclass(frozen=True)
class ResultError:
    row_no: int
    message: str


def _key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).lower()


_LOOKUP = {_key(w): f for f, words in RESULT_HEADERS.items() for w in words}


def read_result_file(binary: IO[bytes]) -> Iterator[ResultLine | ResultError]:
    reader = csv.reader(open_text(binary))
    columns: dict[str, int] | None = None
    for row_no, cells in enumerate(reader, start=1):
        if columns is None:
            found = {}
            for index, cell in enumerate(cells):
                field = _LOOKUP.get(_key(cell))
                if field and field not in found:
                    found[field] = index
            if "reference" in found and "result" in found:
                columns = found
            elif row_no >= 10:
                break
            continue
        if not any((c or "").strip() for c in cells):
            continue
        yield _result_line(cells, columns, row_no)
    if columns is None:
        raise ApplicationError(_("回盘文件中没有找到表头（须包含“付款参考号”和“处理结果”两列）。"),
                               code="no_header")


def _result_line(cells: list[str], columns: dict[str, int], row_no: int
                 ) -> ResultLine | ResultError:
    def cell(field: str) -> str:
        index = columns.get(field)
        return (cells[index] or "").strip() if index is not None and index < len(cells) else ""

    reference = unicodedata.normalize("NFKC", cell("reference")).strip().upper()
    match = _REFERENCE.match(reference)
    if not match:
        return ResultError(row_no, _("付款参考号“{ref}”格式不正确。").format(ref=reference))
    word = _key(cell("result"))
    if word in PAID_WORDS:
        paid = True
    elif word in FAILED_WORDS:
        paid = False
    else:
        return ResultError(row_no, _("处理结果“{value}”无法识别，应为“成功”或“失败”。").format(
            value=cell("result")))
    reason = cell("reason")[:255]
    if not paid and not reason:
        reason = _("银行未说明原因")
    amount = None
    if cell("amount"):
        try:
            amount = parse_amount(cell("amount"))
        except ValueError as exc:
            return ResultError(row_no, str(exc))
    date = None
    if cell("date"):
        try:
            date = parse_date(cell("date"))
        except ValueError as exc:
            return ResultError(row_no, str(exc))
    return ResultLine(row_no=row_no, reference=reference, batch_id=int(match[1]),
                      item_id=int(match[2]), paid=paid, reason="" if paid else reason,
                      amount=amount, serial=cell("serial")[:64], date=date)
