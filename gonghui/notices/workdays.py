"""Administration of the working-day calendar (`core.workdays`): per-day overrides an
administrator enters for a year the holiday library does not know yet, or for a local holiday.

The calendar is read in `core` (every app counts working days); its writes need the capability
gate and the audit trail, which sit above core, so they live here beside the public notice, the
calendar's first user. The calendar is federation-wide: only an administrator holding
`Capability.POLICY_WRITE` over the root of the org tree changes it (pages, API and CLI alike).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import has_capability, require_capability
from gonghui.audit.services import audit_record
from gonghui.core.actor import Actor, actor_name, actor_user
from gonghui.core.cells import (
    CellError,
    cell_text,
    check_spreadsheet,
    decode_text,
    is_blank,
    parse_date,
)
from gonghui.core.errors import ApplicationError, Forbidden
from gonghui.core.models import WorkdayOverride
from gonghui.orgs.models import Org

KIND_WORDS = {
    WorkdayOverride.Kind.WORKING: {"working", "work", "工作日", "上班", "班", "调休上班", "补班"},
    WorkdayOverride.Kind.HOLIDAY: {"holiday", "off", "休息日", "休息", "放假", "休", "节假日",
                                   "假"},
}
MAX_IMPORT_ROWS = 2000


def require_calendar_admin(actor: Actor) -> None:
    """POLICY_WRITE anywhere to see the calendar's administration (404/403 policy); over every
    root of the org tree to change it (a district's administrator gets 403)."""
    require_capability(actor, Capability.POLICY_WRITE)
    roots = list(Org.objects.get_root_nodes())
    if not all(has_capability(actor, Capability.POLICY_WRITE, root) for root in roots):
        raise Forbidden(_("工作日日历全市通用，只有最上级工会的管理员可以修改。"),
                        code="calendar_admin_only")


def parse_kind(value: Any) -> str:
    text = cell_text(value).lower()
    for kind, words in KIND_WORDS.items():
        if text in words:
            return str(kind)
    raise CellError("kind_format", _("类型“{value}”无法识别，请填写“工作日”或“休息日”。").format(
        value=cell_text(value)))


def _write(day: dt.date, kind: str, note: str, actor: Actor) -> tuple[WorkdayOverride, bool]:
    before = WorkdayOverride.objects.select_for_update().filter(date=day).first()
    previous = {"kind": before.kind, "note": before.note} if before else None
    row, created = WorkdayOverride.objects.update_or_create(
        date=day, defaults={"kind": kind, "note": note[:200], "created_by": actor_user(actor),
                            "created_by_name": actor_name(actor)},
    )
    audit_record(actor=actor, action="core.workday.set", obj=row, before=previous,
                 after={"date": day, "kind": kind, "note": row.note})
    return row, created


def workday_override_set(*, day: dt.date, kind: str, note: str = "",
                         actor: Actor) -> WorkdayOverride:
    """State that `day` is a working day or a day off (replaces an earlier override)."""
    require_calendar_admin(actor)
    if kind not in WorkdayOverride.Kind.values:
        raise ApplicationError(_("类型必须是工作日或休息日。"), code="kind_invalid",
                               extra={"field": "kind"})
    with transaction.atomic():
        row, _created = _write(day, kind, note.strip(), actor)
    return row


def workday_override_delete(*, day: dt.date, actor: Actor) -> None:
    require_calendar_admin(actor)
    with transaction.atomic():
        row = WorkdayOverride.objects.select_for_update().filter(date=day).first()
        if row is None:
            raise ApplicationError(_("{day} 没有人工调整。").format(day=day), code="not_set")
        audit_record(actor=actor, action="core.workday.delete", obj=row,
                     before={"date": day, "kind": row.kind, "note": row.note})
        row.delete()


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)


def _rows(name: str, data: bytes) -> list[list[Any]]:
    if name.lower().endswith(".xlsx"):
        # openpyxl only for .xlsx uploads (a heavy library most requests never need).
        from openpyxl import load_workbook

        check_spreadsheet(data)  # a zip bomb is refused before it is unpacked
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:
            raise ApplicationError(_("无法读取该 Excel 文件。"), code="unreadable") from exc
        sheet = book.worksheets[0]
        return [list(r) for r in sheet.iter_rows(values_only=True)]
    if name.lower().endswith(".csv"):
        try:
            text = decode_text(data)
        except UnicodeDecodeError as exc:
            raise ApplicationError(_("无法识别该文件的编码。"), code="unreadable") from exc
        return [list(r) for r in csv.reader(io.StringIO(text))]
    raise ApplicationError(_("请上传 .csv 或 .xlsx 文件。"), code="file_type",
                           extra={"field": "file"})


def workday_import(*, name: str, data: bytes, actor: Actor) -> ImportResult:
    """Import overrides from a .csv/.xlsx file with the columns 日期, 类型 (工作日/休息日),
    说明 (optional); a first row of headings is skipped. All or nothing: with any bad row
    nothing is written and the errors say which rows to fix."""
    require_calendar_admin(actor)
    rows = _rows(name, data)
    result = ImportResult()
    parsed: dict[dt.date, tuple[str, str]] = {}
    for number, row in enumerate(rows, start=1):
        cells = [*row, None, None, None][:3]
        if all(is_blank(c) for c in cells):
            continue
        if number == 1 and cell_text(cells[0]) in {"日期", "date", "Date"}:
            continue
        try:
            day = parse_date(cells[0])
            kind = parse_kind(cells[1])
        except CellError as exc:
            result.errors.append((number, exc.message))
            continue
        assert day is not None
        if day in parsed:
            result.errors.append((number, _("日期 {day} 重复。").format(day=day)))
            continue
        parsed[day] = (kind, cell_text(cells[2]))
    if len(parsed) > MAX_IMPORT_ROWS:
        result.errors.append((0, _("一次最多导入 {n} 行。").format(n=MAX_IMPORT_ROWS)))
    if not parsed and not result.errors:
        result.errors.append((0, _("文件中没有数据行。")))
    if result.errors:
        return result
    with transaction.atomic():
        for day, (kind, note) in sorted(parsed.items()):
            _row, created = _write(day, kind, note, actor)
            if created:
                result.created += 1
            else:
                result.updated += 1
    return result
