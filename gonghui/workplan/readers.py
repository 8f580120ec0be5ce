"""Uploaded plan files → text for `parsing.parse_plan`: .txt in any encoding
`core.cells.detect_encoding` knows (UTF-8 with or without BOM, UTF-16, GB18030), and .docx
(paragraphs; Word's automatic list numbering rebuilt)."""

from __future__ import annotations

import io
from typing import Any

from gonghui.core import cells
from gonghui.workplan.parsing import int_to_cn


class UnreadableFile(ValueError):
    """The upload is not a .txt or .docx this module can read; the message says why."""


def decode_text(data: bytes) -> str:
    """`core.cells.decode_text`, with its failure in this module's terms."""
    try:
        return cells.decode_text(data)
    except UnicodeDecodeError as exc:
        raise UnreadableFile("文本文件的编码无法识别（请保存为 UTF-8 或 GB18030）。") from exc


def docx_text(data: bytes) -> str:
    """The paragraphs of a .docx as lines. Word's automatic list numbering is not in the
    paragraph text, so it is rebuilt from numbering.xml (decimal, 一、, （一）, ① formats)."""
    # python-docx (and lxml under it) is heavy; only .docx uploads need it
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise UnreadableFile("无法读取该 Word 文件（请上传 .docx 格式）。") from exc
    except Exception as exc:  # zipfile.BadZipFile and friends: not a docx at all
        raise UnreadableFile("无法读取该 Word 文件（请上传 .docx 格式）。") from exc
    numbering = _WordNumbering(document)
    lines = []
    for paragraph in document.paragraphs:
        text = paragraph.text
        prefix = numbering.prefix(paragraph)
        lines.append(prefix + text)
        # a page break inside a paragraph splits nothing in the text; blank lines are harmless
    return "\n".join(lines)


class _WordNumbering:
    """Rebuilds the visible number of auto-numbered paragraphs (``%1.``, ``（%1）``…)."""

    FORMATS = {"decimal", "chineseCounting", "chineseCountingThousand", "ideographTraditional",
               "japaneseCounting", "decimalEnclosedCircle", "decimalEnclosedCircleChinese",
               "decimalFullWidth", "taiwaneseCounting"}  # fmt: skip

    def __init__(self, document: Any) -> None:
        self.levels: dict[tuple[str, str], tuple[str, str, int]] = {}
        self.counters: dict[tuple[str, str], int] = {}
        try:
            part = document.part.numbering_part
        except (NotImplementedError, KeyError, AttributeError):
            return
        ns = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
        w = "{" + ns["w"] + "}"
        root = part.element
        abstract: dict[str, dict[str, tuple[str, str, int]]] = {}
        for node in root.findall("w:abstractNum", ns):
            levels = {}
            for lvl in node.findall("w:lvl", ns):
                fmt = lvl.find("w:numFmt", ns)
                text = lvl.find("w:lvlText", ns)
                start = lvl.find("w:start", ns)
                levels[lvl.get(w + "ilvl")] = (
                    fmt.get(w + "val") if fmt is not None else "decimal",
                    text.get(w + "val") if text is not None else "%1.",
                    int(start.get(w + "val")) if start is not None else 1,
                )
            abstract[node.get(w + "abstractNumId")] = levels
        for num in root.findall("w:num", ns):
            ref = num.find("w:abstractNumId", ns)
            if ref is None:
                continue
            for ilvl, spec in abstract.get(ref.get(w + "val"), {}).items():
                self.levels[(num.get(w + "numId"), ilvl)] = spec

    @staticmethod
    def _numpr(paragraph: Any) -> Any:
        """The paragraph's own numbering, else its style's (e.g. Word's "List Number")."""
        ppr = paragraph._p.pPr
        if ppr is not None and ppr.numPr is not None:
            return ppr.numPr
        style = paragraph.style
        while style is not None:
            style_ppr = style.element.pPr
            if style_ppr is not None and style_ppr.numPr is not None:
                return style_ppr.numPr
            style = style.base_style
        return None

    def prefix(self, paragraph: Any) -> str:
        numpr = self._numpr(paragraph)
        if numpr is None or numpr.numId is None:
            return ""
        key = (str(numpr.numId.val), str(numpr.ilvl.val if numpr.ilvl is not None else 0))
        spec = self.levels.get(key)
        if spec is None or spec[0] not in self.FORMATS:
            return ""
        fmt, pattern, start = spec
        # a deeper level restarts when its parent advances
        for other in list(self.counters):
            if other[0] == key[0] and int(other[1]) > int(key[1]):
                del self.counters[other]
        self.counters[key] = self.counters.get(key, start - 1) + 1
        value = self.counters[key]
        if fmt in ("decimal", "decimalFullWidth"):
            shown = str(value)
        elif fmt.startswith("decimalEnclosedCircle"):
            shown = chr(0x2460 + value - 1) if value <= 20 else str(value)
        else:
            shown = int_to_cn(value)
        # Word puts a tab after the number; a space reads the same to the parser
        return pattern.replace("%" + str(int(key[1]) + 1), shown) + " "


def read_plan_file(name: str, data: bytes) -> str:
    """The text of an uploaded plan (.txt or .docx)."""
    lower = name.lower()
    if lower.endswith(".docx"):
        return docx_text(data)
    if lower.endswith((".txt", ".text")):
        return decode_text(data)
    if lower.endswith(".doc"):
        raise UnreadableFile("不支持旧版 .doc 文件，请在 Word 中另存为 .docx 后上传。")
    raise UnreadableFile("只支持 .txt 和 .docx 文件。")
