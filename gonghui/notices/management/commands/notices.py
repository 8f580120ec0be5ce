"""`gonghui notices close-due`: close every notice whose period has ended and whose objections
are all decided (run daily; the owning apps' handlers run in each closing transaction)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from gonghui.core.actor import system_actor
from gonghui.notices import services


class Command(BaseCommand):
    help = "公示：结束已期满且异议已处理完毕的公示。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("close-due", help="结束已期满且异议已处理完毕的公示")

    def handle(self, *args: Any, **options: Any) -> None:
        closed = services.close_due(actor=system_actor("task:notices-close-due"))
        for notice in closed:
            self.stdout.write(f"{notice.pk} {notice.title}")
        self.stdout.write(f"已结束 {len(closed)} 个公示。")
