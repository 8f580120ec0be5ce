"""`gonghui outreach import-stations FILE` and `gonghui outreach notify-due`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gonghui.core.actor import system_actor
from gonghui.core.errors import ApplicationError
from gonghui.outreach.services.reminders import notify_due
from gonghui.outreach.services.stations import stations_import


class Command(BaseCommand):
    help = ("Outreach operations. `gonghui outreach import-stations FILE`: import service points "
            "from an .xlsx (columns 站点编号, 站点名称, 类型, 所属工会代码, 地址, 所在区, 纬度, 经度, "
            "服务设施, 开放时间, 联系电话, 建成日期, 公开) as the operator; every refused row is "
            "listed and the exit status is 1 if any was refused. "
            "`gonghui outreach notify-due`: send the day-before reminders of activities and "
            "training sessions (run hourly).")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import-stations", help="import stations from .xlsx")
        imp.add_argument("path")
        sub.add_parser("notify-due", help="send the due reminders")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = system_actor("cli")
        try:
            if options["action"] == "import-stations":
                path = Path(options["path"])
                if not path.is_file():
                    raise CommandError(f"no such file: {path}")
                report = stations_import(data=path.read_bytes(), actor=actor)
                self.stdout.write(f"created {report.created}, updated {report.updated}, "
                                  f"refused {len(report.refused)}")
                for row, column, message in report.refused:
                    self.stdout.write(f"  row {row} [{column}] {message}")
                if report.refused:
                    raise SystemExit(1)
            else:
                sent = notify_due(actor=actor)
                self.stdout.write(f"activities {sent['activities']}, sessions "
                                  f"{sent['sessions']}, messages {sent['messages']}")
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
