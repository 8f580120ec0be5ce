"""Streaming roster export of a subtree to .xlsx or .csv, in constant memory: memberships are
read in `union_path` order through a server-side cursor and written row by row (xlsxwriter
constant-memory mode / csv). ID numbers are masked unless revealed; a revealed export is
checked and logged (`roster.reveal.reveal_rows`: audit.services.reveal, count = rows) before
the first number is written.

The file has the importer's headers (plus 工会代码), so an export can be imported again as a
bulk roster."""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, cast

import xlsxwriter
from django.db import connection, models, transaction
from django.utils.translation import gettext as _

from gonghui.audit.services import audit_record
from gonghui.core.actor import Actor, as_actor
from gonghui.core.idnumber import mask
from gonghui.core.sheets import XLSXWRITER_OPTIONS, neutralise, safe_row
from gonghui.members.models import HELD_STATUSES, Membership, MembershipStatus, Person
from gonghui.members.validation import MEMBERSHIP_FIELDS, PERSON_FIELDS
from gonghui.orgs.models import Org
from gonghui.roster.reveal import reveal_rows

PROGRESS_EVERY = 5000

_PERSON_COLUMNS = [s.name for s in PERSON_FIELDS]
# the legacy columns last (docs/roster.md): a migrated roster exports with its 会龄起算日, its
# retired members' dates and the old system's card numbers, and imports again unchanged
LEGACY_COLUMNS = ["seniority_since", "retired_on", "legacy_card_number"]
HEADERS = [_("工会代码"), _("工会名称"), *[s.label for s in PERSON_FIELDS],
           *[s.label for s in MEMBERSHIP_FIELDS], _("会籍状态"), _("会龄起算日"), _("退休日期"),
           _("原会员证号")]


def _field(name: str) -> models.Field:
    return cast(models.Field, Person._meta.get_field(name))


def _labels(name: str) -> dict[str, str]:
    return {str(k): str(v) for k, v in (_field(name).choices or [])}


def export_queryset(org: Org, *, include_ended: bool = False) -> models.QuerySet[Membership]:
    queryset = Membership.objects.filter(union_path__startswith=org.path)
    if not include_ended:
        queryset = queryset.filter(status__in=HELD_STATUSES)
    return queryset


def _rows(org: Org, *, reveal: bool, include_ended: bool) -> Iterator[list[Any]]:
    choice_labels = {name: _labels(name) for name in _PERSON_COLUMNS
                     if _field(name).choices}
    status_labels = {str(k): str(v) for k, v in MembershipStatus.choices}
    values = ["union__code", "union__name", *[f"person__{n}" for n in _PERSON_COLUMNS],
              "joined_on", "card_number", "status", *LEGACY_COLUMNS]
    queryset = export_queryset(org, include_ended=include_ended).order_by(
        "union_path", "id").values_list(*values)
    id_index = 2 + _PERSON_COLUMNS.index("id_number")
    for record in queryset.iterator(chunk_size=5000):
        row = list(record)
        number = row[id_index] or ""
        row[id_index] = number if reveal else mask(number)
        for offset, name in enumerate(_PERSON_COLUMNS, start=2):
            value = row[offset]
            if name in choice_labels:
                row[offset] = choice_labels[name].get(value, value) if value else ""
            elif value is None:
                row[offset] = ""
        status = len(values) - len(LEGACY_COLUMNS) - 1
        row[status] = status_labels.get(row[status], row[status])
        for index in range(status + 1, len(row)):
            row[index] = "" if row[index] is None else row[index]
        yield row


def export_members(*, org: Org, actor: Actor | str, out: Path, reveal: bool = False,
                   include_ended: bool = False, purpose: str = "",
                   subject: models.Model | None = None,
                   on_progress: Callable[[int, int], None] | None = None) -> int:
    """Write the roster of `org`'s subtree to `out` (.xlsx or .csv); returns the row count.
    The caller (roster.services) has checked that `actor` may read there; with `reveal` the
    read of the full numbers is checked and logged here (`purpose`; `subject`: the export job)
    before the first one is written."""
    who: Actor = as_actor(actor)
    out = Path(out)
    postgres = connection.vendor == "postgresql"
    # One snapshot for the count that is logged and the rows that are written (PostgreSQL);
    # SQLite's writer lock must not be held for a whole export, so it reads without one.
    outer = connection.in_atomic_block
    context = transaction.atomic() if postgres else contextlib.nullcontext()
    with context:
        if postgres and not outer:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        total = export_queryset(org, include_ended=include_ended).count()
        if reveal:
            reveal_rows(actor=who, org=org, subject=subject or org, count=total,
                        purpose=purpose or _("名册导出（完整身份证号码）"))
        rows = _rows(org, reveal=reveal, include_ended=include_ended)
        if out.suffix.lower() == ".csv":
            count = _write_csv(out, rows, total, on_progress)
        else:
            count = _write_xlsx(out, rows, total, on_progress)
    record_export(org=org, actor=who, count=count, reveal=reveal, file_name=out.name)
    return count


def record_export(*, org: Org, actor: Actor, count: int, reveal: bool, file_name: str) -> None:
    """The audit row of an export (who took which subtree's roster, how many rows)."""
    with transaction.atomic():
        audit_record(actor=actor, action="roster.export", object_type="orgs.org",
                     object_id=str(org.pk), object_repr=org.name, org_path=org.path,
                     after={"rows": count, "reveal": reveal, "file": file_name})


def _write_csv(out: Path, rows: Iterator[list[Any]], total: int,
               on_progress: Callable[[int, int], None] | None) -> int:
    count = 0
    # UTF-8 with BOM: what Excel on Chinese Windows needs to open it without mojibake.
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for row in rows:
            writer.writerow(safe_row(row))
            count += 1
            if on_progress and count % PROGRESS_EVERY == 0:
                on_progress(count, total)
    if on_progress:
        on_progress(count, total)
    return count


def _write_xlsx(out: Path, rows: Iterator[list[Any]], total: int,
                on_progress: Callable[[int, int], None] | None) -> int:
    book = xlsxwriter.Workbook(str(out), {**XLSXWRITER_OPTIONS, "constant_memory": True,
                                          "default_date_format": "yyyy-mm-dd"})
    sheet = book.add_worksheet(_("会员名册"))
    header = book.add_format({"bold": True, "bg_color": "#FDE9E7", "border": 1})
    text = book.add_format({"num_format": "@"})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    for column, title in enumerate(HEADERS):
        sheet.write_string(0, column, title, header)
        sheet.set_column(column, column, 20 if column in (1, 3) else 12)
    sheet.freeze_panes(1, 0)
    count = 0
    for row_index, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if value is None or value == "":
                continue
            if hasattr(value, "isoformat"):
                sheet.write_datetime(row_index, column, value, date)
            elif isinstance(value, str):
                sheet.write_string(row_index, column, neutralise(value), text)
            else:
                sheet.write_number(row_index, column, float(value))
        count += 1
        if on_progress and count % PROGRESS_EVERY == 0:
            on_progress(count, total)
    book.close()
    if on_progress:
        on_progress(count, total)
    return count
