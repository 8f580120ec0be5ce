from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gonghui.accounts.models import User
from gonghui.core import clock
from gonghui.core.actor import system_actor
from gonghui.core.errors import ApplicationError
from gonghui.orgs.models import Org
from gonghui.stats.models import ReportJob
from gonghui.stats.services.breakdowns import breakdowns_refresh
from gonghui.stats.services.reports import report_run, report_start
from gonghui.stats.services.snapshots import snapshot_month


class Command(BaseCommand):
    help = ("Statistics (统计). "
            "`gonghui stats snapshot [--month YYYY-MM] [--org CODE]`: store the monthly snapshot "
            "of every union (default: the current month; the previous month is allowed too), "
            "run by the operator's cron on the last day of each month. "
            "`gonghui stats breakdowns`: recompute the stored member breakdowns of the city, "
            "the districts and the streets (nightly; the dashboard shows them with their day). "
            "`gonghui stats report --org CODE --year YYYY --user NAME [--out FILE] [--json]`: "
            "write the yearly statistical report (.xlsx) in the foreground as that user; exit 1 "
            "if the totals check fails.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        snap = sub.add_parser("snapshot", help="store the monthly snapshot")
        snap.add_argument("--month", default="", help="YYYY-MM (default: this month)")
        snap.add_argument("--org", default="", help="only this org's subtree (default: all)")
        sub.add_parser("breakdowns", help="recompute the stored member breakdowns")
        rep = sub.add_parser("report", help="write the yearly report")
        rep.add_argument("--org", required=True)
        rep.add_argument("--year", type=int, required=True)
        rep.add_argument("--user", required=True, help="acting user (needs stats.read)")
        rep.add_argument("--out", default="", help="write the .xlsx here")
        rep.add_argument("--json", action="store_true", help="print the job as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "snapshot":
                self._snapshot(options["month"], options["org"])
            elif options["action"] == "breakdowns":
                started = time.perf_counter()
                n = breakdowns_refresh(actor=system_actor("cli"))
                self.stdout.write(f"breakdowns: {n} orgs in {time.perf_counter() - started:.1f}s")
            else:
                self._report(options)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc

    def _org(self, code: str) -> Org:
        org = Org.objects.filter(code=code).first()
        if org is None:
            raise CommandError(f"no org {code!r}")
        return org

    def _snapshot(self, month_text: str, code: str) -> None:
        try:
            month = (dt.datetime.strptime(month_text, "%Y-%m").date() if month_text
                     else clock.today().replace(day=1))
        except ValueError as exc:
            raise CommandError(f"bad month {month_text!r}: use YYYY-MM") from exc
        root = self._org(code) if code else None
        started = time.perf_counter()
        n = snapshot_month(month=month, actor=system_actor("cli"), root=root)
        self.stdout.write(f"snapshot {month:%Y-%m}: {n} orgs in {time.perf_counter() - started:.1f}s")

    def _report(self, options: dict[str, Any]) -> None:
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {options['user']!r}")
        org = self._org(options["org"])
        job = report_start(org=org, year=options["year"], actor=user, enqueue=False)
        job = report_run(job=ReportJob.objects.select_related("org", "created_by").get(pk=job.pk),
                         out=Path(options["out"]) if options["out"] else None)
        if options["json"]:
            self.stdout.write(json.dumps({"id": job.pk, "status": job.status,
                                          "checks_passed": job.checks_passed,
                                          "file": job.file_path, "error": job.error}))
        else:
            self.stdout.write(f"report #{job.pk} {job.status}: {job.file_path or job.error}")
        if job.status != "done" or not job.checks_passed:
            raise SystemExit(1)
