"""Finding the header row of a cadre's roster, mapping its columns to fields, and turning Excel's
cell values into what the members validation expects.

The header row need not be on line 1 (a merged title such as “某某公司工会会员名册” and a
“填报单位：… 日期：…” line often come first). Headers are matched through the member registry's
own synonym table (`members.validation.field_for_header`: 身份证号 / 身份证号码 / 公民身份号码,
full-width characters, spaces, “（必填）” notes), plus the roster's one own column: the union
code of a bulk file.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from gonghui.core.cells import CellError, parse_date
from gonghui.core.sheets import unquote
from gonghui.members.validation import (
    MEMBERSHIP_FIELDS,
    PERSON_FIELDS,
    field_for_header,
    normalize_header,
)

UNION_CODE = "union_code"
UNION_CODE_LABEL = "工会代码"
UNION_CODE_HEADERS = ("工会代码", "组织代码", "所属工会代码", "工会组织代码", "基层工会代码",
                      "单位工会代码", "工会编码", "union_code")  # fmt: skip
_UNION_INDEX = {normalize_header(h).lower(): UNION_CODE for h in UNION_CODE_HEADERS}

# Columns of a legacy roster (migration from an old system, docs/roster.md): the old 会龄起算日
# (earlier than the join date), retired members with their retirement date, and the old
# system's card number (unique within one union only). name -> (label, other headers, kind)
LEGACY_FIELDS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "seniority_since": ("会龄起算日", ("会龄起算日期", "会龄起算时间", "会龄起始日期",
                                       "工会会龄起算日", "会龄起算"), "date"),
    "membership_status": ("会籍状态", ("会员状态", "会籍情况"), "text"),
    "retired_on": ("退休日期", ("退休时间", "离退休日期"), "date"),
    "legacy_card_number": ("原会员证号", ("旧会员证号", "原会员卡号", "原系统会员证号",
                                         "原会员编号"), "text"),
}
# The old system's first join date is the join date (入会日期) kept as it was.
_JOIN_SYNONYMS = ("原入会日期", "首次入会日期", "原入会时间")
_LEGACY_INDEX = {normalize_header(h).lower(): name
                 for name, (label, headers, _kind) in LEGACY_FIELDS.items()
                 for h in (label, name, *headers)}
_LEGACY_INDEX.update({normalize_header(h).lower(): "joined_on" for h in _JOIN_SYNONYMS})
# Status cells of a legacy roster: 在册 members and retired ones keeping 会籍 (SPEC §2.2).
STATUS_WORDS = {"在册": "active", "正常": "active", "在职": "active", "在籍": "active",
                "active": "active", "退休": "retired", "离退休": "retired",
                "退休（保留会籍）": "retired", "退休(保留会籍)": "retired", "retired": "retired"}
LEGACY_CARD_LIMIT = 32

FIELD_LABELS: dict[str, str] = {
    **{s.name: s.label for s in (*PERSON_FIELDS, *MEMBERSHIP_FIELDS)},
    **{name: label for name, (label, _h, _k) in LEGACY_FIELDS.items()},
    UNION_CODE: UNION_CODE_LABEL,
}
FIELD_KINDS: dict[str, str] = {
    **{s.name: s.kind for s in (*PERSON_FIELDS, *MEMBERSHIP_FIELDS)},
    **{name: kind for name, (_l, _h, kind) in LEGACY_FIELDS.items()},
    UNION_CODE: "code",
}
REQUIRED_FIELDS = ("name", "id_number")

# How far down a sheet the header row is looked for.
HEADER_SCAN_ROWS = 30

_TOTALS = re.compile(r"^(合计|总计|小计|共计|累计|总数|合\s*计|总\s*计|以上合计|本页合计)")
_NOTES = re.compile(r"^(注|备注|说明|填表说明|填表人|制表人|审核人|负责人|单位负责人|填报单位|"
                    r"填报日期|填报人|制表日期|联系人|联系电话|盖章|签字|单位（盖章）)")


def match_header(text: Any) -> str | None:
    """The field a header cell means, or None."""
    if text is None or isinstance(text, bool):
        return None
    name = field_for_header(text)
    if name:
        return name
    key = normalize_header(text).lower()
    bare = re.sub(r"\(.*?\)$", "", key)
    return (_UNION_INDEX.get(key) or _UNION_INDEX.get(bare) or _LEGACY_INDEX.get(key)
            or _LEGACY_INDEX.get(bare))


@dataclass
class Mapping:
    """Where the header row is and which column feeds which field."""

    header_row: int  # 1-based row number of the header line
    headers: list[str]  # the header cells as written
    columns: dict[int, str] = field(default_factory=dict)  # column index -> field name

    @property
    def id_columns(self) -> list[int]:
        return sorted(i for i, f in self.columns.items() if f == "id_number")

    @property
    def card_columns(self) -> list[int]:
        return sorted(i for i, f in self.columns.items() if f == "card_number")

    def fields(self) -> set[str]:
        return set(self.columns.values())

    @property
    def bulk(self) -> bool:
        return UNION_CODE in self.fields()

    def missing_required(self) -> list[str]:
        return [f for f in REQUIRED_FIELDS if f not in self.fields()]

    def as_json(self) -> dict[str, Any]:
        return {"header_row": self.header_row, "headers": self.headers,
                "columns": {str(k): v for k, v in sorted(self.columns.items())}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Mapping:
        return cls(header_row=int(data["header_row"]), headers=list(data["headers"]),
                   columns={int(k): v for k, v in data["columns"].items() if v})

    def describe(self) -> list[dict[str, Any]]:
        """One entry per header column, for the preview page."""
        out = []
        for index, header in enumerate(self.headers):
            name = self.columns.get(index, "")
            out.append({"index": index, "header": header, "field": name,
                        "label": FIELD_LABELS.get(name, "")})
        return out


class HeaderNotFound(ValueError):
    pass


def header_text(value: Any) -> str:
    if value is None:
        return ""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(value))).strip()


def detect_header(rows: Iterable[tuple[int, Sequence[Any]]]) -> Mapping:
    """The best header row among the first rows: the one matching the most distinct fields,
    which must include the name and the ID number."""
    best: Mapping | None = None
    best_score = 0
    for scanned, (number, cells) in enumerate(rows):
        if scanned >= HEADER_SCAN_ROWS:
            break
        columns: dict[int, str] = {}
        for index, cell in enumerate(cells):
            name = match_header(cell)
            if name is not None:
                columns[index] = name
        score = len(set(columns.values()))
        if score > best_score:
            best_score = score
            best = Mapping(header_row=number, headers=[header_text(c) for c in cells],
                           columns=columns)
    if best is None or best.missing_required():
        raise HeaderNotFound(_(
            "没有找到表头行：前 {n} 行中需要有一行同时包含“姓名”和“身份证号码”（或“身份证号”“公民身份号码”）两列。"
            "请检查表头，或下载导入模板对照填写。"
        ).format(n=HEADER_SCAN_ROWS))
    _dedupe(best)
    return best


def _dedupe(mapping: Mapping) -> None:
    """Two columns for one field (手机 and 联系电话): both stay mapped; a row takes the first
    non-blank of them. The union code column is the exception: only the first counts."""
    seen_union = False
    for index in sorted(mapping.columns):
        if mapping.columns[index] == UNION_CODE:
            if seen_union:
                del mapping.columns[index]
            seen_union = True


def validate_mapping(mapping: Mapping) -> list[str]:
    """Problems with a (possibly cadre-corrected) mapping, in Chinese; empty when usable."""
    problems = []
    for name in mapping.missing_required():
        problems.append(_("必须指定“{label}”所在的列。").format(label=FIELD_LABELS[name]))
    unknown = sorted(set(mapping.columns.values()) - set(FIELD_LABELS))
    if unknown:
        problems.append(_("未知的字段：{names}。").format(names="、".join(unknown)))
    return problems


# --- cells -----------------------------------------------------------------------------------

_BLANKS = " \t\r\n\u3000\u00a0\u200b\ufeff"
_NON_DIGITS = re.compile(r"\D")


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip(_BLANKS)
    return False


def excel_general(number: float) -> str:
    """How Excel's General format shows a big number: 6 significant digits, `3.10101E+17`."""
    mantissa, exponent = f"{number:.5E}".split("E")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}E+{int(exponent):02d}"


def clean_cell(value: Any, kind: str) -> Any:
    """Excel artefacts out, meaning kept. Validation does the rest (and all of the rules).

    - text: surrounding spaces (incl. full-width and no-break spaces) trimmed;
    - numbers: an integral float (13812345678.0, from a number cell or a CSV written by a
      program) becomes its digits; but an ID number stored as a number has lost its last digits
      (Excel keeps 15): it is passed on the way Excel shows it, `3.10101E+17`, which validation
      rejects saying so — never "repaired" into a wrong person;
    - dates: date cells stay dates; serial numbers in date columns are left to the validation,
      which reads them as Excel serials.
    """
    if value is None:
        return None
    if isinstance(value, str):
        # unquote: an export's formula neutraliser (core.sheets) is not part of the value
        text = unquote(value.strip(_BLANKS))
        return text or None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if kind == "id" and abs(value) >= 1e15:
            return excel_general(value)
        if kind in ("date", "money"):
            return value
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return value if kind in ("date", "money") else str(value)
    if isinstance(value, dt.datetime):
        if kind == "date":
            return value.date()
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value if kind == "date" else value.isoformat()
    return str(value)


def cell_display(value: Any) -> str:
    """The text of an original cell for the error report."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        if abs(value) >= 1e15:
            return excel_general(value)
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def skip_reason(cells: Sequence[Any], mapping: Mapping,
                id_columns: Sequence[int] | None = None) -> str:
    """Why a row is not a person at all ("" when it is one): blank, a totals line (合计…),
    a note (填表人…), a repeated header (rosters pasted together from several pages). A row
    whose ID column holds something like an ID number is always a person's row.
    `id_columns`: `mapping.id_columns`, computed once by a caller that scans many rows."""
    width = len(cells)
    id_cell: Any = None
    for index in mapping.id_columns if id_columns is None else id_columns:
        if index < width and not is_blank(cells[index]):
            id_cell = cells[index]
            break
    if id_cell is not None and _looks_like_id(id_cell):
        return ""
    filled = [c for c in cells if not is_blank(c)]
    if not filled:
        return "blank"
    if any(_TOTALS.match(normalize_header(c)) for c in filled[:3]):
        return "totals"
    if _NOTES.match(normalize_header(filled[0])):
        return "note"
    if _repeated_header(cells, mapping):
        return "header"
    return ""


def _looks_like_id(value: Any) -> bool:
    """Digits (or what Excel made of them), not words: a totals line's "共 15 人" is no ID."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return True
    text = str(value).strip()
    if text.isdigit() or (text[:-1].isdigit() and text[-1:] in "xX"):
        return True
    return len(_NON_DIGITS.sub("", unicodedata.normalize("NFKC", text))) >= 6


def _repeated_header(cells: Sequence[Any], mapping: Mapping) -> bool:
    hits = sum(1 for i, name in mapping.columns.items()
               if i < len(cells) and isinstance(cells[i], str) and match_header(cells[i]) == name)
    return hits >= 2


def row_fields(cells: Sequence[Any], mapping: Mapping) -> dict[str, Any]:
    """{field: cleaned value} of one data row; of two columns for one field, the first
    non-blank wins."""
    out: dict[str, Any] = {}
    width = len(cells)
    for index, name in mapping.columns.items():
        if index >= width:
            continue
        value = clean_cell(cells[index], FIELD_KINDS.get(name, "text"))
        if value is None:
            continue
        if name not in out:
            out[name] = value
    return out


def normalize_code(value: Any) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", str(value or ""))).upper()


# --- legacy columns ------------------------------------------------------------------------

@dataclass(frozen=True)
class Legacy:
    """What a legacy roster row brings beyond a member's fields."""

    seniority_since: dt.date | None = None
    status: str = "active"
    retired_on: dt.date | None = None
    legacy_card_number: str = ""


def legacy_values(fields: dict[str, Any], *, joined_on: dt.date, as_of: dt.date,
                  dated_retirement: bool = True) -> tuple[Legacy, list[tuple[str, str]]]:
    """The legacy cells of a row (already cleaned by `row_fields`), checked: 会龄起算日 not after
    the join date nor in the future, a known status, a retirement date for (and only for) a
    retired member, a card number of at most 32 characters. Returns (values, problems).
    `dated_retirement` False: the file has no 退休日期 column (Gonghui's own export, which
    carries the status only), so a retired row needs no date."""
    problems: list[tuple[str, str]] = []
    since = retired = None
    try:
        since = parse_date(fields.get("seniority_since"), required=False)
    except CellError as exc:
        problems.append(("seniority_since", exc.message))
    if since is not None and since > joined_on:
        problems.append(("seniority_since", _(
            "会龄起算日 {since} 晚于入会日期 {joined}：会龄起算日应不晚于入会日期。").format(
                since=since.isoformat(), joined=joined_on.isoformat())))
    raw_status = normalize_header(fields.get("membership_status") or "")
    status = STATUS_WORDS.get(raw_status, STATUS_WORDS.get(raw_status.lower(), ""))
    if raw_status and not status:
        problems.append(("membership_status", _(
            "会籍状态“{value}”无法识别：请填写“在册”或“退休”（退会、已故等会员不导入）。").format(
                value=raw_status)))
    status = status or "active"
    try:
        retired = parse_date(fields.get("retired_on"), required=False)
    except CellError as exc:
        problems.append(("retired_on", exc.message))
    if retired is not None and retired > as_of:
        problems.append(("retired_on", _("退休日期不能晚于今天。")))
    if (dated_retirement and status == "retired" and retired is None
            and "retired_on" not in dict(problems)):
        problems.append(("retired_on", _("会籍状态为“退休”时请填写退休日期。")))
    if status == "active" and retired is not None:
        problems.append(("membership_status", _("填写了退休日期，会籍状态应为“退休”。")))
    card = normalize_code(fields.get("legacy_card_number") or "")
    if len(card) > LEGACY_CARD_LIMIT:
        problems.append(("legacy_card_number", _("原会员证号最多 {n} 位。").format(
            n=LEGACY_CARD_LIMIT)))
    return Legacy(seniority_since=since, status=status, retired_on=retired,
                  legacy_card_number=card), problems
