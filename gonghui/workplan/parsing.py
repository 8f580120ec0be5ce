"""Reading a yearly work plan (工作要点) as an office writes it: pure functions, no database.

A plan is: an optional issuing notice (文件头, 文号 such as 沪工办〔2018〕1号, the notice title
关于印发《…》的通知, its recipients and text, the issuing office and date), the plan's title, a
preamble, headings (一、二、…) and numbered items (1. 2. …) under them, each item ending with its
responsible departments （责任单位：A、B）, lead first.

What real files do, and what this module copes with:
- items whose text runs across a page break: blank lines and page-number lines (``- 3 -``,
  ``第 3 页``) inside an item are dropped and the pieces joined;
- the 责任单位 clause on a line of its own after the item text, with or without parentheses;
- hand-made numbering: ``1.`` ``1．`` ``1、`` ``（1）`` ``1）`` ``①`` ``第一条`` ``（一）``, headings
  ``一、`` ``第一部分`` ``第一章``; numbering that restarts under each heading;
- ``牵头单位：A；配合单位：B、C``, a trailing ``等``, and names separated by 、，,；/ or spaces;

`parse_plan(text)` never raises on odd input: what it could not place goes to `warnings`, and the
office corrects the result in the preview before anything is saved.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

from gonghui.core import cells

CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
             "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
CN_NUMERAL = "一二三四五六七八九十百零〇两"

# Department-clause labels. The lead group comes first when a clause names both.
_LEAD_LABELS = ("责任单位", "责任部门", "责任处室", "牵头单位", "牵头部门", "主责单位", "承办单位",
                "牵头")  # fmt: skip
_CO_LABELS = ("配合单位", "配合部门", "协办单位", "协同单位", "参与单位", "配合", "协办")
_ALL_LABELS = "|".join(sorted(_LEAD_LABELS + _CO_LABELS, key=len, reverse=True))

DEPT_CLAUSE_RE = re.compile(
    rf"[（(]\s*((?:{_ALL_LABELS})\s*[：:].*?)\s*[）)]\s*[。；;.]?\s*$"
)
DEPT_LINE_RE = re.compile(rf"^\s*((?:{_ALL_LABELS})\s*[：:].+?)\s*[。；;.]?\s*$")
_DEPT_SPLIT_RE = re.compile(r"[、，,/／\s]+")
_PART_LABEL_RE = re.compile(rf"^\s*({_ALL_LABELS})\s*[：:]\s*")

DOC_NUMBER_RE = re.compile(
    r"^(?P<prefix>[^\s〔\[［【（(]{1,16})\s*[〔\[［【（(]\s*(?P<year>\d{4})\s*[〕\]］】）)]\s*"
    r"(?P<seq>\d{1,5})\s*号$"
)
DATE_RE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
CN_DATE_RE = re.compile(r"^([〇零○Ｏ一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月"
                        r"([一二三四五六七八九十]{1,3})日$")  # fmt: skip
PAGE_NUMBER_RE = re.compile(
    r"^(?:[-—－–~～]\s*\d{1,3}\s*[-—－–~～]|第\s*\d{1,3}\s*页(?:\s*[,，/]?\s*共\s*\d{1,3}\s*页)?"
    r"|\d{1,3}\s*/\s*\d{1,3}|\d{1,3})$"
)
YEAR_RE = re.compile(r"(\d{4})\s*年")

# Heading styles, outermost first.
HEADING_STYLES: dict[str, re.Pattern[str]] = {
    "part": re.compile(rf"^第([{CN_NUMERAL}]{{1,4}})(?:部分|章|篇)\s*[、：:．.]?\s*(.*)$"),
    "cn": re.compile(rf"^([{CN_NUMERAL}]{{1,4}})\s*[、．.]\s*(\S.*)$"),
    "cn_paren": re.compile(rf"^[（(]\s*([{CN_NUMERAL}]{{1,4}})\s*[)）]\s*[、．.]?\s*(\S.*)$"),
}
ITEM_STYLES: dict[str, re.Pattern[str]] = {
    "arabic": re.compile(r"^(\d{1,3})\s*(?:[.．](?!\d)|、)\s*(\S.*)$"),
    "arabic_paren": re.compile(r"^[（(]\s*(\d{1,3})\s*[)）]\s*[、．.]?\s*(\S.*)$"),
    "arabic_half": re.compile(r"^(\d{1,3})\s*[)）]\s*(\S.*)$"),
    "circled": re.compile(r"^([\u2460-\u2473\u3251-\u325f])\s*[、．.]?\s*(\S.*)$"),
    "article": re.compile(rf"^第([{CN_NUMERAL}]{{1,5}})条\s*[、：:．.]?\s*(\S.*)$"),
    "cn_paren": HEADING_STYLES["cn_paren"],
}

_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
_SPACE_CJK_DIGIT_RE = re.compile(rf"(?<=[{_CJK}])\s+(?=\d)|(?<=\d)\s+(?=[{_CJK}])")
_SPACES_RE = re.compile(r"[ \t\u00a0\u3000]+")


@dataclasses.dataclass
class ParsedNotice:
    header: str = ""  # 文件头: 上海市总工会文件
    doc_number: str = ""  # 文号: 沪工办〔2018〕1号
    title: str = ""  # 关于印发《…》的通知
    recipients: str = ""  # 主送: 各区局（产业）工会，…
    body: str = ""
    office: str = ""  # 发文机关署名: 上海市总工会办公室
    issued_on: dt.date | None = None


@dataclasses.dataclass
class ParsedHeading:
    number: int
    label: str
    text: str


@dataclasses.dataclass
class ParsedItem:
    number: int  # position in the plan, 1..n
    label: str  # the number as written: "1", "（1）", "①", "第一条"
    heading: int | None  # index into ParsedPlan.headings
    title: str
    text: str
    departments: list[str]


@dataclasses.dataclass
class ParsedPlan:
    title: str = ""
    year: int | None = None
    notice: ParsedNotice = dataclasses.field(default_factory=ParsedNotice)
    preamble: str = ""
    headings: list[ParsedHeading] = dataclasses.field(default_factory=list)
    items: list[ParsedItem] = dataclasses.field(default_factory=list)
    warnings: list[str] = dataclasses.field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        issued = self.notice.issued_on
        data["notice"]["issued_on"] = issued.isoformat() if issued else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ParsedPlan:
        notice = dict(data.get("notice") or {})
        issued = notice.get("issued_on")
        notice["issued_on"] = dt.date.fromisoformat(issued) if issued else None
        return cls(
            title=data.get("title", ""),
            year=data.get("year"),
            notice=ParsedNotice(**notice),
            preamble=data.get("preamble", ""),
            headings=[ParsedHeading(**h) for h in data.get("headings", [])],
            items=[ParsedItem(**i) for i in data.get("items", [])],
            warnings=list(data.get("warnings", [])),
        )


# ---------------------------------------------------------------------------------------------
# small pieces


def cn_to_int(text: str) -> int | None:
    """一 → 1, 十二 → 12, 二十 → 20, 一百零五 → 105; None when `text` is not a numeral."""
    if not text or any(c not in CN_NUMERAL for c in text):
        return None
    total, current = 0, 0
    for char in text:
        if char == "百":
            total += (current or 1) * 100
            current = 0
        elif char == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = CN_DIGITS[char]
    return total + current


def int_to_cn(number: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十, 99 → 九十九 (headings never go beyond)."""
    digits = "零一二三四五六七八九"
    if number < 10:
        return digits[number]
    tens, ones = divmod(number, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


def tidy(text: str) -> str:
    """Collapse runs of spaces; drop the spaces typesetting puts between CJK and digits
    (``常委会 2018 年`` → ``常委会2018年``); Latin words keep theirs."""
    text = _SPACES_RE.sub(" ", text).strip()
    return _SPACE_CJK_DIGIT_RE.sub("", text)


def join_pieces(pieces: list[str]) -> str:
    """Join the lines of one paragraph: Chinese needs no space, Latin words do."""
    out = ""
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        if out and out[-1].isascii() and out[-1].isalnum() and piece[0].isascii() and piece[0].isalpha():
            out += " "
        out += piece
    return tidy(out)


def split_departments(clause: str) -> list[str]:
    """``责任单位：A、B、C等`` → [A, B, C]; ``牵头单位：A；配合单位：B，C`` → [A, B, C] (lead first)."""
    lead: list[str] = []
    co: list[str] = []
    for part in re.split(r"[；;]", clause):
        label_match = _PART_LABEL_RE.match(part)
        label = label_match.group(1) if label_match else ""
        names_text = part[label_match.end():] if label_match else part
        names = []
        for raw in _DEPT_SPLIT_RE.split(names_text.strip().rstrip("。.")):
            name = raw.strip()
            if len(name) > 2 and name.endswith("等"):
                name = name[:-1]  # "财务资产管理部等": the list is open-ended, the name is not
            if name:
                names.append(name)
        (co if label in _CO_LABELS else lead).extend(names)
    seen: set[str] = set()
    ordered = []
    for name in lead + co:
        if name not in seen:
            seen.add(name)
            ordered.append(name)
    return ordered


def item_title(text: str) -> str:
    """The item's lead sentence (``切实推动党的十九大精神入耳入脑入心``), shortened if long."""
    match = re.match(r"^(.{2,40}?)[。；;！!]", text)
    if match:
        return match.group(1)
    return text if len(text) <= 40 else text[:30] + "…"


def parse_date(text: str) -> dt.date | None:
    """The date line of a document: ``2018年1月22日`` (read by `core.cells.parse_date`) or the
    official form in Chinese numerals ``二〇一八年一月二十二日``; None for any other line."""
    text = text.replace(" ", "")
    if DATE_RE.match(text):
        try:
            return cells.parse_date(text)
        except cells.CellError:
            return None
    match = CN_DATE_RE.match(text)
    if match is None:
        return None
    year = int("".join(str(CN_DIGITS[c]) for c in match.group(1)))
    month, day = cn_to_int(match.group(2)), cn_to_int(match.group(3))
    if not (month and day):
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def normalise_doc_number(text: str) -> str | None:
    match = DOC_NUMBER_RE.match(text.replace(" ", ""))
    if not match:
        return None
    return f"{match.group('prefix')}〔{match.group('year')}〕{int(match.group('seq'))}号"


def _is_short_line(text: str, limit: int = 40) -> bool:
    return 0 < len(text) <= limit and text[-1] not in "。；;，,：:！!？?"


def _marker_number(style: str, raw: str) -> int | None:
    if style in ("arabic", "arabic_paren", "arabic_half"):
        return int(raw)
    if style == "circled":
        code = ord(raw)
        return code - 0x2460 + 1 if code <= 0x2473 else code - 0x3251 + 21
    return cn_to_int(raw)


def _label(style: str, raw: str) -> str:
    return {
        "arabic": raw, "arabic_paren": f"（{raw}）", "arabic_half": f"{raw}）", "circled": raw,
        "article": f"第{raw}条", "cn_paren": f"（{raw}）",
    }[style]  # fmt: skip


# ---------------------------------------------------------------------------------------------
# the plan


def clean_lines(text: str) -> list[str]:
    """Lines of the document, stripped; page breaks, page numbers and blank lines become ''."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").lstrip("\ufeff")
    lines = []
    for raw in text.split("\n"):
        line = _SPACES_RE.sub(" ", raw).strip()
        if PAGE_NUMBER_RE.match(line):
            line = ""
        lines.append(line)
    return lines


def _classify(lines: list[str]) -> tuple[str | None, str | None]:
    """Choose the heading style and the item style of this document."""
    present: dict[str, list[int]] = {}
    for index, line in enumerate(lines):
        for style, pattern in HEADING_STYLES.items():
            if style != "cn_paren" and pattern.match(line):
                present.setdefault("h:" + style, []).append(index)
        for style, pattern in ITEM_STYLES.items():
            if pattern.match(line):
                present.setdefault(style, []).append(index)
    heading_style = None
    for style in ("part", "cn"):
        if "h:" + style in present:
            heading_style = style
            break
    item_styles = [s for s in ITEM_STYLES if s in present]
    if heading_style is None and "cn_paren" in item_styles and len(item_styles) > 1:
        heading_style = "cn_paren"  # （一） over 1. items when there is no 一、 level
    candidates = [s for s in item_styles if s != heading_style]
    heading_lines: set[int] = set()
    if heading_style:
        heading_lines = set(present["cn_paren" if heading_style == "cn_paren" else "h:" + heading_style])
        first_heading = min(heading_lines)
        candidates = [s for s in candidates if present[s][-1] > first_heading]
    if not candidates:
        return heading_style, None
    if len(candidates) == 1:
        return heading_style, candidates[0]

    # Several numbering styles below the headings (e.g. 1. items with （1） points inside): the
    # item level is the one whose segments carry the 责任单位 clauses.
    def score(style: str) -> tuple[int, int]:
        starts = set(present[style])
        count, inside = 0, False
        for index, line in enumerate(lines):
            if index in heading_lines or index in starts:
                inside = index in starts
                if inside and (DEPT_CLAUSE_RE.search(line) or DEPT_LINE_RE.match(line)):
                    count += 1
                    inside = False
                continue
            if inside and (DEPT_CLAUSE_RE.search(line) or DEPT_LINE_RE.match(line)):
                count += 1
                inside = False
        return count, -present[style][0]

    return heading_style, max(candidates, key=score)


def _first_match(pattern: re.Pattern[str], line: str) -> re.Match[str] | None:
    return pattern.match(line) if line else None


def parse_plan(text: str) -> ParsedPlan:
    lines = clean_lines(text)
    plan = ParsedPlan()
    heading_style, item_style = _classify(lines)
    heading_re = HEADING_STYLES[heading_style] if heading_style else None
    item_re = ITEM_STYLES[item_style] if item_style else None

    first_struct = len(lines)
    for index, line in enumerate(lines):
        if (heading_re and _first_match(heading_re, line)) or (item_re and _first_match(item_re, line)):
            first_struct = index
            break
    _parse_front(lines[:first_struct], plan)
    _parse_body(lines[first_struct:], plan, heading_style, item_style)

    if plan.year is None:
        for source in (plan.title, plan.notice.title, plan.notice.doc_number):
            match = YEAR_RE.search(source) or re.search(r"〔(\d{4})〕", source)
            if match:
                plan.year = int(match.group(1))
                break
    if plan.year is None and plan.notice.issued_on:
        plan.year = plan.notice.issued_on.year
    if not plan.title:
        plan.warnings.append("未识别到标题，请在预览中填写。")
    if not plan.items:
        plan.warnings.append("未识别到任何编号的任务条目。")
    return plan


def _parse_front(lines: list[str], plan: ParsedPlan) -> None:
    """The notice (when there is one), the title and the preamble: everything before the first
    heading."""
    notice = plan.notice
    date_index = next((i for i, line in enumerate(lines) if parse_date(line)), None)
    has_notice = date_index is not None and any(
        normalise_doc_number(line) or re.match(r"^关于.*通知$", line) for line in lines[:date_index]
    )
    rest_start = 0
    if has_notice and date_index is not None:
        notice.issued_on = parse_date(lines[date_index])
        rest_start = date_index + 1
        region = lines[:date_index]
        filled = list(region)
        # the signature: the last short line before the date
        for i in range(len(region) - 1, -1, -1):
            if region[i]:
                if _is_short_line(region[i], 30) and not normalise_doc_number(region[i]):
                    notice.office = region[i]
                    filled[i] = ""
                break
        body: list[str] = []
        state = "head"
        title_parts: list[str] = []
        for i, line in enumerate(filled):
            if not line:
                if state == "title" and title_parts:
                    state = "after_title"
                continue
            number = normalise_doc_number(line)
            if number and not notice.doc_number:
                notice.doc_number = number
                continue
            if state == "head" and not notice.header and re.match(r"^.{2,30}文件$", line) and i < 6:
                notice.header = line
                continue
            if state in ("head",) and line.startswith("关于"):
                title_parts.append(line)
                state = "title" if not line.endswith("通知") else "after_title"
                continue
            if state == "title":
                title_parts.append(line)
                if line.endswith("通知"):
                    state = "after_title"
                continue
            if state == "after_title" and not notice.recipients and line[-1] in "：:":
                notice.recipients = line.rstrip("：:")
                state = "body"
                continue
            body.append(line)
            state = "body"
        notice.title = join_pieces(title_parts)
        notice.body = "\n".join(_paragraphs(body, filled))

    rest = lines[rest_start:]
    nonblank = [i for i, line in enumerate(rest) if line]
    if nonblank and _is_short_line(rest[nonblank[0]], 80):
        # a title may wrap onto a second line: join short lines until a blank
        title_lines = [rest[nonblank[0]]]
        j = nonblank[0] + 1
        while j < len(rest) and rest[j] and _is_short_line(rest[j], 40) and len(title_lines) < 3:
            title_lines.append(rest[j])
            j += 1
        plan.title = join_pieces(title_lines)
        rest = rest[j:]
    elif notice.title:
        match = re.search(r"《(.+?)》", notice.title)
        plan.title = tidy(match.group(1)) if match else ""
    plan.preamble = "\n".join(_paragraphs([line for line in rest if line], rest))


def _paragraphs(nonblank: list[str], lines: list[str]) -> list[str]:
    """Group lines into paragraphs: a line ending a sentence ends its paragraph, so wrapped lines
    (and lines split by page breaks) join, whatever blank lines sit between them."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in nonblank:
        current.append(line)
        if line[-1] in "。！!？?：:" or len(line) < 20:
            paragraphs.append(join_pieces(current))
            current = []
    if current:
        paragraphs.append(join_pieces(current))
    return paragraphs


@dataclasses.dataclass
class _OpenItem:
    number: int
    label: str
    heading: int | None
    pieces: list[str]
    departments: list[str] | None = None


def _parse_body(lines: list[str], plan: ParsedPlan, heading_style: str | None,
                item_style: str | None) -> None:
    heading_re = HEADING_STYLES[heading_style] if heading_style else None
    item_re = ITEM_STYLES[item_style] if item_style else None
    items: list[_OpenItem] = []
    current: _OpenItem | None = None
    heading_open = False  # the last line was a heading line (a long heading may wrap)
    last_number = 0  # the written number of the previous item
    items_in_heading = 0
    trailing: list[str] = []

    def close() -> None:
        nonlocal current
        if current is not None:
            items.append(current)
        current = None

    for line in lines:
        if not line:
            heading_open = False
            continue
        heading_match = heading_re.match(line) if heading_re else None
        if heading_match:
            number = cn_to_int(heading_match.group(1)) or len(plan.headings) + 1
            close()
            text = heading_match.group(2).strip() if heading_match.lastindex and heading_match.lastindex >= 2 else ""
            plan.headings.append(ParsedHeading(number=number, label=int_to_cn(number), text=tidy(text)))
            heading_open = True
            items_in_heading = 0
            continue
        item_match = item_re.match(line) if item_re else None
        if item_match and item_style:
            written = _marker_number(item_style, item_match.group(1)) or 0
            fits = written == last_number + 1 or (written == 1 and items_in_heading == 0)
            closed = current is None or current.departments is not None
            if fits or closed:
                if not fits:
                    plan.warnings.append(
                        f"编号不连续：{_label(item_style, str(last_number))} 之后是"
                        f" {_label(item_style, item_match.group(1))}。"
                    )
                close()
                current = _OpenItem(
                    number=len(items) + 1, label=_label(item_style, item_match.group(1)),
                    heading=len(plan.headings) - 1 if plan.headings else None,
                    pieces=[item_match.group(2)],
                )
                last_number = written
                items_in_heading += 1
                heading_open = False
                _take_clause(current)
                continue
            if current is not None:
                plan.warnings.append(
                    f"第 {current.number} 项中有一行以“{_label(item_style, item_match.group(1))}”"
                    f"开头，但编号不连续，已并入该项，请核对。"
                )
        if current is None:
            if heading_open and plan.headings and _is_short_line(line, 40) and len(plan.headings[-1].text) < 40:
                plan.headings[-1].text = join_pieces([plan.headings[-1].text, line])
            else:
                trailing.append(line)
            continue
        if current.departments is not None:
            trailing.append(line)  # after the 责任单位 clause: not this item's text any more
            continue
        current.pieces.append(line)
        _take_clause(current)
    close()

    for item in items:
        text = join_pieces(item.pieces)
        if item.departments is None:
            plan.warnings.append(f"第 {item.number} 项（{item.label}）未写明责任单位。")
        plan.items.append(ParsedItem(
            number=item.number, label=item.label, heading=item.heading, title=item_title(text),
            text=text, departments=item.departments or [],
        ))
    for line in trailing:
        plan.warnings.append(f"未归入任何任务的文字：{line[:60]}")


def _take_clause(item: _OpenItem) -> None:
    """If the item's text now ends with a 责任单位 clause, move it into `departments`."""
    last = item.pieces[-1]
    line_match = DEPT_LINE_RE.match(last)
    if line_match and len(item.pieces) > 1:
        item.departments = split_departments(line_match.group(1))
        item.pieces.pop()
        return
    joined = join_pieces(item.pieces)
    clause_match = DEPT_CLAUSE_RE.search(joined)
    if clause_match:
        item.departments = split_departments(clause_match.group(1))
        item.pieces = [joined[: clause_match.start()].rstrip()]
