from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gonghui.accounts.models import User
from gonghui.core.actor import Actor, system_actor
from gonghui.core.errors import ApplicationError
from gonghui.orgs.models import Org
from gonghui.roster import cli
from gonghui.roster.sync import sync_detect


class Command(BaseCommand):
    help = (
        "Import a member roster (.xlsx/.xls/.csv in UTF-8 or GB18030) into a union. "
        "`gonghui import-members FILE --union CODE [--report OUT.xlsx] [--dry-run] [--json]`. "
        "With a 工会代码 column, --union names the top org and each row goes to its own union "
        "inside that subtree. Rows that cannot be imported go to the error report; exit 0 when "
        "the file was processed, non-zero when it could not be read at all. Re-running an "
        "interrupted import of the same file resumes it. --sync: the file is the complete "
        "roster; afterwards the members it lacks are listed for review (名册同步)."
    )
    # Django's system checks import every URL module and view (~1.8 s of each run, measured
    # with cProfile on a 200,000-row re-run); `gonghui check` and the test suite run them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="roster file (.xlsx, .xls, .csv)")
        parser.add_argument("--union", required=True, help="org code of the union (or top org)")
        parser.add_argument("--report", help="write the error report (.xlsx) here")
        parser.add_argument("--dry-run", action="store_true",
                            help="check everything, write nothing (counts what would happen)")
        parser.add_argument("--json", action="store_true",
                            help="print one JSON object with the counts on stdout")
        parser.add_argument("--as", dest="as_user", default="",
                            help="act as this user (their role must allow member.write there)")
        parser.add_argument("--restart", action="store_true",
                            help="start a new job even if an interrupted one exists for this file")
        parser.add_argument("--sync", action="store_true",
                            help="the file is the union's complete roster: list the members "
                                 "it lacks as candidates for review (never changes them)")
        parser.add_argument("--chunk", type=int, default=0, help=argparse.SUPPRESS)
        parser.add_argument("--workers", type=int, default=0,
                            help="worker processes (default: 2 for big files on PostgreSQL)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        org = Org.objects.filter(code=options["union"].strip().upper()).first()
        if org is None:
            raise CommandError(f"找不到组织代码 {options['union']}")
        actor: Actor = system_actor("cli")
        if options["as_user"]:
            user = User.objects.filter(username=options["as_user"], is_active=True).first()
            if user is None:
                raise CommandError(f"找不到用户 {options['as_user']}")
            actor = user
        try:
            job, resumed = cli.job_for_file(path=path, org=org, actor=actor,
                                            dry_run=options["dry_run"],
                                            restart=options["restart"])
            if resumed:
                self.stderr.write(f"继续未完成的导入任务 #{job.pk}（已处理 {job.processed} 行）")
            job = cli.run_with_progress(
                job, actor=actor, report=Path(options["report"]) if options["report"] else None,
                chunk_rows=options["chunk"] or None, workers=options["workers"] or None,
                stream=cast(TextIO, self.stderr._out))
            missing = self._sync(job, actor) if options["sync"] else None
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        summary = {**job.counts(), "report": job.report_path or None}
        if missing is not None:
            summary["sync_missing"] = missing
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
        else:
            verb = "试运行：将导入" if job.dry_run else "导入"
            self.stdout.write(
                f"{verb} {job.imported}（其中更新 {job.updated}），无变化 {job.unchanged}，"
                f"未导入 {job.rejected}，跳过 {job.skipped}，共 {job.processed} 行。")
            if job.report_path:
                self.stdout.write(f"错误报告：{job.report_path}")
            if missing is not None:
                self.stdout.write(f"名册同步：在册但名册中缺少 {missing} 名，请在导入任务 "
                                  f"#{job.pk} 的名册同步页逐一核实。")

    def _sync(self, job: Any, actor: Actor) -> int | None:
        """The comparison of a finished real import (roster.sync): None for a dry run."""
        if job.dry_run:
            self.stderr.write("试运行不进行名册同步比对。")
            return None
        return sync_detect(job=job, actor=actor)

