from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from gonghui.core import clock
from gonghui.core.actor import system_actor
from gonghui.members import services
from gonghui.members.services import deadlines
from gonghui.members.services.lapse import LAPSE_MONTHS, lapse_candidates
from gonghui.members.tasks import lapse_check_task


class Command(BaseCommand):
    help = ("Member registry operations. `gonghui members lapse-check [--date YYYY-MM-DD] "
            "[--dry-run] [--enqueue]`: flag members with no dues and no union activity for "
            f"{LAPSE_MONTHS} months (a cadre then contacts them and confirms the lapse). "
            "`gonghui members backfill-due-dates [--dry-run]`: give waiting applications and "
            "incoming transfers created before deadlines existed their due date (working days).")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("lapse-check", help="flag members for the lapse watch")
        check.add_argument("--date", default="", help="the day to check as (default: today)")
        check.add_argument("--dry-run", action="store_true", help="only count, change nothing")
        check.add_argument("--enqueue", action="store_true",
                           help="run as a background task on the worker instead")
        backfill = sub.add_parser("backfill-due-dates",
                                  help="due dates for waiting cases that have none")
        backfill.add_argument("--dry-run", action="store_true", help="only count, change nothing")

    def handle(self, *args, **options):
        if options["action"] == "backfill-due-dates":
            counts = deadlines.due_dates_backfill(actor=system_actor("cli"),
                                                  dry_run=options["dry_run"])
            verb = "would get" if options["dry_run"] else "got"
            self.stdout.write(f"{counts['applications']} applications and "
                              f"{counts['transfers']} transfers {verb} their due date")
            return
        if options["action"] != "lapse-check":
            raise CommandError(f"unknown action {options['action']}")
        try:
            day = dt.date.fromisoformat(options["date"]) if options["date"] else clock.today()
        except ValueError as exc:
            raise CommandError(f"--date must be YYYY-MM-DD, got {options['date']!r}") from exc
        if options["dry_run"]:
            n = lapse_candidates(today=day).count()
            self.stdout.write(f"{n} members would be flagged on {day} (dry run, nothing changed)")
            return
        if options["enqueue"]:
            result = lapse_check_task.enqueue(day.isoformat())
            self.stdout.write(f"lapse check for {day} enqueued as task {result.id}")
            return
        n = services.lapse_check(today=day, actor=system_actor("cli"))
        self.stdout.write(f"{n} members flagged for the lapse watch on {day}; "
                          "cadres see them under 会员 › 自动退会预警")
