"""`gonghui workdays show YEAR | set DATE working|holiday [--note] | import FILE`: the
working-day calendar from the shell (same services as the page: audit rows, one rule)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gonghui.core import workdays as calendar
from gonghui.core.actor import system_actor
from gonghui.core.errors import ApplicationError
from gonghui.notices import workdays as services

KINDS = {"working": "working", "holiday": "holiday"}


class Command(BaseCommand):
    help = "工作日日历：查看某年节假日与调休、录入一天、从文件导入。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser("show", help="列出某年的节假日与调休上班日")
        show.add_argument("year", type=int)
        put = sub.add_parser("set", help="录入一天：working（上班）或 holiday（休息）")
        put.add_argument("date")
        put.add_argument("kind", choices=sorted(KINDS))
        put.add_argument("--note", default="")
        load = sub.add_parser("import", help="从 .csv / .xlsx 导入（列：日期、类型、说明）")
        load.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = system_actor("cli")
        try:
            if options["action"] == "show":
                self._show(options["year"])
            elif options["action"] == "set":
                try:
                    day = dt.date.fromisoformat(options["date"])
                except ValueError as exc:
                    raise CommandError(f"日期格式应为 YYYY-MM-DD：{options['date']}") from exc
                row = services.workday_override_set(day=day, kind=KINDS[options["kind"]],
                                                    note=options["note"], actor=actor)
                self.stdout.write(f"{row.date:%Y-%m-%d} {row.get_kind_display()} {row.note}")
            else:
                path = Path(options["file"])
                if not path.is_file():
                    raise CommandError(f"文件不存在：{path}")
                result = services.workday_import(name=path.name, data=path.read_bytes(),
                                                 actor=actor)
                if result.errors:
                    for row_no, message in result.errors:
                        self.stderr.write(f"第 {row_no} 行：{message}" if row_no else message)
                    raise CommandError("文件有误，未导入任何数据。")
                self.stdout.write(f"新增 {result.created} 天，更新 {result.updated} 天。")
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc

    def _show(self, year: int) -> None:
        days = calendar.year_days(year)
        working = calendar.working_days_between(dt.date(year - 1, 12, 31), dt.date(year, 12, 31))
        for day, is_working, source in days:
            label = "上班" if is_working else "休息"
            mark = " (人工调整)" if source == "override" else ""
            self.stdout.write(f"{day:%Y-%m-%d} {'一二三四五六日'[day.weekday()]} {label}{mark}")
        self.stdout.write(f"{year} 年共 {working} 个工作日。")
