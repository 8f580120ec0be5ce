from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gonghui.awards import selectors


class Command(BaseCommand):
    help = ("Competitions and honours. `gonghui awards notice-due [--days N] [--json]`: the "
            "awards 公示 ending within N working days (default 2) or already ended, with their "
            "pending objections (close them with `gonghui notices close-due`).")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        due = sub.add_parser("notice-due", help="公示 ending soon or ended, objections open")
        due.add_argument("--days", type=int, default=2, help="working days ahead (default 2)")
        due.add_argument("--json", action="store_true", help="print JSON lines")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = selectors.notices_due(within_days=max(0, options["days"]))
        if options["json"]:
            for row in rows:
                self.stdout.write(json.dumps(row, ensure_ascii=False, default=str))
            return
        if not rows:
            self.stdout.write("no awards notice due")
            return
        for row in rows:
            state = "ended" if row["ended"] else "ends"
            self.stdout.write(f"#{row['id']} {row['org']} {state} {row['end_date']} "
                              f"pending objections: {row['pending_objections']} · {row['title']}")
