from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from gonghui.audit.chain import verify


class Command(BaseCommand):
    help = ("The audit trail's integrity. `gonghui audit verify [--day YYYY-MM-DD]` checks the "
            "hash chains of the audit trail and the sensitive-read log; exit status 1 when a row "
            "was edited, deleted or inserted.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("verify", help="check the hash chains (all days, or one)")
        check.add_argument("--day", type=dt.date.fromisoformat, default=None,
                           help="only this day (YYYY-MM-DD, Asia/Shanghai)")

    def handle(self, *args, **options):
        days, rows, problems = verify(day=options["day"])
        for problem in problems:
            self.stderr.write(str(problem))
        if problems:
            raise CommandError(f"audit chain broken: {len(problems)} problem(s) in {days} day(s)")
        self.stdout.write(f"audit chain intact: {days} day(s), {rows} row(s)")
