"""`gonghui import-settlements FILE.csv [--org CODE] [--json]`: load a medical-insurance
settlement file and (unless --no-process) turn its records into payouts right away."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from gonghui.core.actor import system_actor
from gonghui.core.errors import ApplicationError
from gonghui.mutualaid import selectors
from gonghui.mutualaid.parsing import count_rows
from gonghui.mutualaid.services import (
    file_sha256,
    process_queue,
    settlement_import_create,
    settlement_import_run,
)
from gonghui.orgs.models import Org

ISSUES_SHOWN = 1000


class Command(BaseCommand):
    requires_system_checks: list[str] = []  # a worker needs no URL or admin checks
    help = ("Import a settlement file (CSV: 结算单号, 身份证号码, 医疗机构, 入院日期, 出院日期, "
            "医疗总费用, 统筹支付, 个人自付[, 姓名, 类别]) and process it into payouts. A settlement "
            "number already imported is skipped, so re-running a file is safe. Exit code 1 when "
            "the file cannot be read (or, with --strict, when any row was refused).")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="the CSV file (UTF-8 or GB18030)")
        parser.add_argument("--org", default="", help="code of the importing org (default: the "
                            "root of the tree when there is one)")
        parser.add_argument("--json", action="store_true", help="print one JSON object")
        parser.add_argument("--no-process", action="store_true",
                            help="only queue the records; workers (process-settlements) pay them")
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--strict", action="store_true",
                            help="exit 1 when a row was refused (invalid or duplicate)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        org = self._org(options["org"])
        quiet = options["json"] or options["verbosity"] == 0
        with path.open("rb") as binary:
            try:
                source = settlement_import_create(org=org, file_name=path.name,
                                                  sha256=file_sha256(binary),
                                                  actor=system_actor("cli"))
            except ApplicationError as exc:
                raise CommandError(exc.message) from exc
            bar = tqdm(total=max(0, count_rows(binary) - 1), unit="行", disable=quiet,
                       desc="导入")
            try:
                source = settlement_import_run(source=source, binary=binary,
                                               progress=bar.update)
            except ApplicationError as exc:
                raise CommandError(exc.message) from exc
            finally:
                bar.close()
        if not options["no_process"]:
            bar = tqdm(total=source.inserted, unit="条", disable=quiet, desc="核算")
            process_queue(batch_size=options["batch_size"],
                          on_batch=lambda r: bar.update(r.claimed))
            bar.close()
        report = self._report(source)
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=1))
        else:
            self._print(report)
        if options["strict"] and (source.invalid or source.duplicates):
            raise CommandError(f"{source.invalid + source.duplicates} 行未导入")

    def _org(self, code: str) -> Org:
        if code:
            org = Org.objects.filter(code=code.upper()).first()
            if org is None:
                raise CommandError(f"没有代码为 {code} 的组织。")
            return org
        roots = list(Org.objects.filter(depth=1)[:2])
        if len(roots) != 1:
            raise CommandError("请用 --org 指定导入单位的组织代码。")
        return roots[0]

    def _report(self, source: Any) -> dict[str, Any]:
        outcome = selectors.import_outcome(source)
        return {
            "import": source.pk, "file": source.file_name, "status": source.status,
            "rows": source.processed_rows, "inserted": source.inserted,
            "already_imported": source.already_imported, "duplicates": source.duplicates,
            "invalid": source.invalid,
            "issues": [{"row": i.row_no, "column": i.column, "code": i.code,
                        "message": i.message, "settlement_no": i.settlement_no}
                       for i in source.issues.order_by("row_no", "id")[:ISSUES_SHOWN]],
            "issues_count": source.issues.count(),  # all of them; `issues` shows the first
            "records": outcome["records"],
            "payouts": {status: {"count": v["count"], "amount": str(v["amount"])}
                        for status, v in outcome["payouts"].items()},
            "payout_amount": str(outcome["payout_amount"]),
        }

    def _print(self, report: dict[str, Any]) -> None:
        w = self.stdout.write
        w(f"导入 #{report['import']} {report['file']}：{report['rows']} 行，新增 {report['inserted']}，"
          f"已导入过 {report['already_imported']}，重复 {report['duplicates']}，"
          f"无效 {report['invalid']}")
        for issue in report["issues"][:50]:
            w(f"  第 {issue['row']} 行 {issue['column']}：{issue['message']}")
        if report["issues_count"] > 50:
            w(f"  …… 另有 {report['issues_count'] - 50} 条问题（--json 列出前 {ISSUES_SHOWN} 条）")
        records = report["records"]
        w("结算记录：" + "，".join(f"{k} {v}" for k, v in records.items() if v))
        w("给付：" + "，".join(f"{k} {v['count']} 笔 {v['amount']} 元"
                             for k, v in report["payouts"].items()))
