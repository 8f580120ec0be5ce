from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gonghui.core.actor import system_actor
from gonghui.core.errors import ApplicationError
from gonghui.orgs.models import Org
from gonghui.workplan.parsing import parse_plan
from gonghui.workplan.readers import UnreadableFile, read_plan_file
from gonghui.workplan.services.plans import plan_create
from gonghui.workplan.services.reminders import reminders_send
from gonghui.workplan.tasks import send_reminders


class Command(BaseCommand):
    help = (
        "Work plans. `gonghui workplan remind [--stale-days N] [--enqueue]`: today's reminders "
        "(overdue milestones, no report for N days, overdue sub-tasks), once per day; "
        "`gonghui workplan import FILE --org CODE [--dry-run]`: import a plan (.txt/.docx)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        remind = sub.add_parser("remind", help="send today's reminders (idempotent per day)")
        remind.add_argument("--stale-days", type=int, default=None,
                            help="remind when no report for more than N days (default: each "
                                 "plan's own setting, 30 unless changed)")
        remind.add_argument("--enqueue", action="store_true",
                            help="put the job on the task queue instead of running it now")
        remind.add_argument("--json", action="store_true", help="print the counts as JSON")
        imp = sub.add_parser("import", help="import a plan file for an org")
        imp.add_argument("file")
        imp.add_argument("--org", required=True, help="org code, e.g. SH")
        imp.add_argument("--dry-run", action="store_true",
                         help="only print what was recognised; save nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "remind":
            self._remind(options)
        else:
            self._import(options)

    def _remind(self, options: dict[str, Any]) -> None:
        stale = options["stale_days"]
        if stale is not None and not 1 <= stale <= 365:
            raise CommandError("--stale-days must be between 1 and 365")
        if options["enqueue"]:
            job = send_reminders.enqueue(stale_days=stale)
            self.stdout.write(f"enqueued reminders job {job.id}")
            return
        result = reminders_send(actor=system_actor("cli"), stale_days=stale)
        if options["json"]:
            self.stdout.write(json.dumps(result.__dict__))
            return
        self.stdout.write(
            f"reminders sent: {result.sent} (already sent today: {result.already}); "
            f"overdue milestones: {result.overdue}, without report: {result.stale}, "
            f"overdue sub-tasks: {result.subtasks}, nobody to tell: {result.no_recipient}"
        )

    def _import(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        org = Org.objects.filter(code=options["org"]).first()
        if org is None:
            raise CommandError(f"no org with code {options['org']!r}")
        try:
            parsed = parse_plan(read_plan_file(path.name, path.read_bytes()))
        except UnreadableFile as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{parsed.title} ({parsed.year}) {parsed.notice.doc_number}: "
                          f"{len(parsed.headings)} headings, {len(parsed.items)} items")
        for item in parsed.items:
            self.stdout.write(f"  {item.number:>3}. {item.title}  [{'、'.join(item.departments)}]")
        for warning in parsed.warnings:
            self.stderr.write(f"warning: {warning}")
        if options["dry_run"]:
            return
        # The service decides (workplan.write, and an active federation from street level up),
        # as it does for the import page and the API; a refusal exits with status 1.
        try:
            plan = plan_create(org=org, parsed=parsed, actor=system_actor("cli"),
                               source_name=path.name)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"imported plan {plan.pk} for {org.code} {org.name}")
