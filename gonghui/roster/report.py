"""Spreadsheets the roster module writes: the error report of an import, and the blank roster
template. Both with xlsxwriter in constant-memory mode (rows stream to disk)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

from gonghui.core.sheets import XLSXWRITER_OPTIONS, SafeSheet
from gonghui.members.choices import ETHNICITIES
from gonghui.members.validation import MEMBERSHIP_FIELDS, PERSON_FIELDS, FieldSpec
from gonghui.roster.columns import UNION_CODE_LABEL

REPORT_EXTRA_HEADERS = ("原行号", "出错列", "错误原因")


def _formats(book: xlsxwriter.Workbook) -> dict[str, Any]:
    return {
        "title": book.add_format({"bold": True, "font_size": 13, "font_color": "#B71C1C",
                                  "text_wrap": True, "valign": "vcenter"}),
        "header": book.add_format({"bold": True, "bg_color": "#FDE9E7", "border": 1,
                                   "text_wrap": True, "valign": "vcenter"}),
        "extra": book.add_format({"bold": True, "bg_color": "#FFF3CD", "border": 1,
                                  "text_wrap": True, "valign": "vcenter"}),
        "text": book.add_format({"num_format": "@"}),
        "reason": book.add_format({"num_format": "@", "font_color": "#B71C1C", "text_wrap": True}),
    }


def write_error_report(path: str | Path, *, headers: list[str],
                       rejections: Iterable[tuple[int, str, str, list[str]]], total: int) -> Path:
    """The rows that were not imported, as they were in the file, each with its original row
    number, the column(s) at fault and the reason with how to fix it.

    The header row repeats the file's own headers, and every cell is text: correct the rows
    here and upload this very file again — the three explanation columns on the right are
    ignored by the importer, the rows already imported are not in it.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path), {**XLSXWRITER_OPTIONS, "constant_memory": True})
    fmt = _formats(book)
    # the cadre's own cells come back here: neutralised like every export (core.sheets)
    sheet = SafeSheet(book.add_worksheet(_("错误报告")))
    width = max(len(headers), 1)
    sheet.set_row(0, 36)
    sheet.write_string(0, 0, _(
        "名册导入错误报告：以下 {n} 行未导入。请按“错误原因”修改后，直接上传本文件即可导入这些行"
        "（右侧三列说明无需删除）。").format(n=total), fmt["title"])
    for column, header in enumerate(headers):
        sheet.set_column(column, column, 16 if header else 8, fmt["text"])
        sheet.write_string(1, column, header, fmt["header"])
    for offset, header in enumerate(REPORT_EXTRA_HEADERS):
        sheet.write_string(1, width + offset, header, fmt["extra"])
    sheet.set_column(width, width, 8)
    sheet.set_column(width + 1, width + 1, 14)
    sheet.set_column(width + 2, width + 2, 60)
    sheet.freeze_panes(2, 0)
    row = 2
    for row_number, columns, reason, cells in rejections:
        for column in range(width):
            value = cells[column] if column < len(cells) else ""
            if value:
                sheet.write_string(row, column, str(value), fmt["text"])
        sheet.write_number(row, width, row_number)
        sheet.write_string(row, width + 1, columns, fmt["text"])
        sheet.write_string(row, width + 2, reason, fmt["reason"])
        row += 1
    book.close()
    return path


# --- the template --------------------------------------------------------------------------

_EXAMPLE = {
    "name": "张三", "id_number": "11010519491231002X", "gender": "女", "birth_date": "1949-12-31",
    "ethnicity": "汉族", "phone": "13812345678", "education": "大学本科",
    "political_status": "中共党员", "household_type": "城镇户籍", "employment_form": "劳动合同制",
    "new_employment_group": "非新就业形态群体", "employer_name": "上海某某精密机械有限公司",
    "occupation": "装配钳工", "skill_level": "技师（二级）", "monthly_wage": "8500.00",
    "joined_on": "2018-01-22", "card_number": "",
}  # fmt: skip

_NOTES = {
    "id_number": "18 位，最后一位可为 X；本列已设为文本格式，请勿改为数字",
    "phone": "11 位手机号；本列为文本格式",
    "birth_date": "可不填，按身份证号码计算",
    "gender": "可不填，按身份证号码判断",
    "joined_on": "如 2018-01-22，不填为导入当天",
    "card_number": "不填由系统生成",
    "monthly_wage": "单位：元，用于计算会费",
}  # fmt: skip

TEMPLATE_ROWS = 5000  # rows the validation lists and text formats cover


def template_fields(*, bulk: bool = False) -> list[tuple[str, str, FieldSpec | None]]:
    fields: list[tuple[str, str, FieldSpec | None]] = [
        (s.name, s.label, s) for s in (*PERSON_FIELDS, *MEMBERSHIP_FIELDS)]
    if bulk:
        fields.insert(0, ("union_code", UNION_CODE_LABEL, None))
    return fields


def write_template(path: str | Path, *, union_name: str = "", bulk: bool = False) -> Path:
    """The roster template: the national real-name collection columns (会员实名制采集), a
    drop-down list on every coded column (a hidden sheet holds the lists: Excel caps an inline
    list at 255 characters, the 58 ethnic groups need more), ID number and phone as text."""
    path = Path(path)
    book = xlsxwriter.Workbook(str(path))
    fmt = _formats(book)
    sheet = book.add_worksheet(_("会员名册"))
    lists = book.add_worksheet(_("代码表"))
    fields = template_fields(bulk=bulk)
    sheet.merge_range(0, 0, 0, len(fields) - 1, _("{union}工会会员实名制信息采集表").format(
        union=union_name), fmt["title"])
    sheet.set_row(0, 30)
    sheet.set_row(1, 34)
    list_column = 0
    for column, (name, label, spec) in enumerate(fields):
        required = (spec is not None and spec.required) or name == "union_code"
        sheet.write_string(1, column, f"{label}{'*' if required else ''}", fmt["header"])
        sheet.set_column(column, column, 20 if name in ("id_number", "employer_name") else 14,
                         fmt["text"] if name in ("id_number", "phone", "card_number", "union_code")
                         else None)
        comment = "；".join(x for x in (_NOTES.get(name, ""), _("例：{v}").format(
            v=_EXAMPLE[name]) if _EXAMPLE.get(name) else "") if x)
        if comment:
            sheet.write_comment(1, column, comment)
        values = _choice_words(spec)
        if values:
            lists.write_string(0, list_column, label)
            for i, word in enumerate(values, start=1):
                lists.write_string(i, list_column, word)
            letter = xlsxwriter.utility.xl_col_to_name(list_column)
            sheet.data_validation(2, column, TEMPLATE_ROWS + 1, column, {
                "validate": "list",
                "source": f"='{lists.get_name()}'!${letter}$2:${letter}${len(values) + 1}",
                "error_title": label,
                "error_message": _("请从下拉列表中选择。"),
            })
            list_column += 1
        elif name in ("birth_date", "joined_on"):
            sheet.data_validation(2, column, TEMPLATE_ROWS + 1, column, {
                "validate": "any", "input_title": label,
                "input_message": _("格式如 2018-01-22"),
            })
    lists.hide()
    sheet.freeze_panes(2, 0)
    book.close()
    return path


def _choice_words(spec: FieldSpec | None) -> list[str]:
    if spec is None:
        return []
    if spec.kind == "ethnicity":
        return list(ETHNICITIES)
    if spec.kind == "choice" and spec.choices is not None:
        return [str(label) for _value, label in spec.choices.choices]
    return []
