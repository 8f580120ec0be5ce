"""Third-party evaluation scores (entered or imported from .xlsx/.csv) and the weights of the
yearly score."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gonghui.audit.services import audit_record
from gonghui.core import cells
from gonghui.core.actor import Actor
from gonghui.core.cells import CellError, cell_text, check_spreadsheet, parse_money
from gonghui.core.errors import ApplicationError
from gonghui.evaluation.models import ScoreWeights, ThirdPartyScore
from gonghui.evaluation.permissions import require_write
from gonghui.orgs.models import Org

COLUMNS = {"code": "工会代码", "year": "年度", "evaluator": "评估机构", "score": "得分"}


@transaction.atomic
def third_party_set(*, org: Org, year: int, evaluator: str, score: Decimal, actor: Actor,
                    note: str = "") -> ThirdPartyScore:
    require_write(actor, org)
    if not evaluator.strip():
        raise ApplicationError(_("请填写评估机构。"), code="evaluator_required",
                               extra={"field": "evaluator"})
    if not Decimal(0) <= score <= Decimal(100):
        raise ApplicationError(_("得分应在 0 至 100 之间。"), code="score_range",
                               extra={"field": "score"})
    row, created = ThirdPartyScore.objects.update_or_create(
        org=org, year=year, defaults={"org_path": org.path, "evaluator": evaluator.strip()[:200],
                                      "score": score, "note": note.strip()[:500]})
    audit_record(actor=actor, action="evaluation.third_party.set", obj=row, org_path=org.path,
                 after={"year": year, "evaluator": row.evaluator, "score": score,
                        "created": created})
    return row


@dataclass
class ImportReport:
    saved: int = 0
    errors: list[str] = field(default_factory=list)


def read_table(data: bytes, filename: str) -> list[list[Any]]:
    name = filename.lower()
    if name.endswith(".xlsx"):
        # python-calamine is a heavy optional reader: loaded only for a spreadsheet upload
        from python_calamine import CalamineWorkbook

        check_spreadsheet(data)  # a zip bomb is refused before it is unpacked
        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
            return book.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except Exception as exc:
            raise ApplicationError(_("无法读取该 Excel 文件：{e}").format(e=exc),
                                   code="bad_file", extra={"field": "file"}) from None
    if name.endswith(".csv"):
        return [list(r) for r in csv.reader(io.StringIO(cells.decode_text(data)))]
    raise ApplicationError(_("只接受 .xlsx 或 .csv 文件。"), code="bad_type", extra={"field": "file"})


@transaction.atomic
def third_party_import(*, root: Org, data: bytes, filename: str, actor: Actor) -> ImportReport:
    """Columns 工会代码, 年度, 评估机构, 得分 (0–100). All or nothing: one bad row saves none,
    and the report names every bad cell."""
    require_write(actor, root)
    table = read_table(data, filename)
    if not table:
        raise ApplicationError(_("文件是空的。"), code="empty", extra={"field": "file"})
    header = [cell_text(c) for c in table[0]]
    missing = [label for label in COLUMNS.values() if label not in header]
    if missing:
        raise ApplicationError(_("缺少列：{c}").format(c="、".join(missing)), code="columns",
                               extra={"field": "file"})
    at = {key: header.index(label) for key, label in COLUMNS.items()}
    report = ImportReport()
    rows: list[tuple[Org, int, str, Decimal]] = []
    seen: dict[tuple[str, int], int] = {}
    codes = {cell_text(r[at["code"]]) for r in table[1:] if len(r) > at["code"]}
    orgs = {o.code: o for o in Org.objects.filter(code__in=codes)}
    for line, raw in enumerate(table[1:], start=2):
        if all(cells.is_blank(c) for c in raw):
            continue
        cell = {k: (raw[i] if i < len(raw) else "") for k, i in at.items()}
        code = cell_text(cell["code"])
        org = orgs.get(code)
        if org is None or not org.path.startswith(root.path):
            report.errors.append(_("第 {n} 行：工会代码“{c}”不存在或不在本单位范围内。").format(
                n=line, c=code))
            continue
        year_text = cell_text(cell["year"])
        if not (year_text.isdigit() and 2000 <= int(year_text) <= 2100):
            report.errors.append(_("第 {n} 行：年度应为四位数字。").format(n=line))
            continue
        try:
            score = parse_money(cell["score"], maximum=Decimal("100"))
        except CellError as exc:
            report.errors.append(_("第 {n} 行：得分有误（{e}）").format(n=line, e=exc.message))
            continue
        evaluator = cell_text(cell["evaluator"])
        if not evaluator:
            report.errors.append(_("第 {n} 行：请填写评估机构。").format(n=line))
            continue
        key = (code, int(year_text))
        if key in seen:
            report.errors.append(_("第 {n} 行：与第 {m} 行重复（同一工会同一年度）。").format(
                n=line, m=seen[key]))
            continue
        seen[key] = line
        rows.append((org, int(year_text), evaluator, score or Decimal("0")))
    if report.errors:
        return report
    for org, year, evaluator, score in rows:
        third_party_set(org=org, year=year, evaluator=evaluator, score=score, actor=actor)
    report.saved = len(rows)
    audit_record(actor=actor, action="evaluation.third_party.import", obj=root,
                 org_path=root.path, after={"rows": len(rows), "file": filename[:100]})
    return report


@transaction.atomic
def weights_set(*, org: Org, year: int, self_weight: int, satisfaction_weight: int,
                third_party_weight: int, actor: Actor) -> ScoreWeights:
    require_write(actor, org)
    parts = (self_weight, satisfaction_weight, third_party_weight)
    if any(p < 0 for p in parts) or sum(parts) != 100:
        raise ApplicationError(_("三项权重应为非负整数百分比，合计 100%。"), code="weights_sum",
                               extra={"field": "self_weight"})
    row, _created = ScoreWeights.objects.update_or_create(
        org=org, year=year, defaults={"org_path": org.path, "self_weight": self_weight,
                                      "satisfaction_weight": satisfaction_weight,
                                      "third_party_weight": third_party_weight})
    audit_record(actor=actor, action="evaluation.weights.set", obj=row, org_path=org.path,
                 after={"year": year, "weights": parts})
    return row
