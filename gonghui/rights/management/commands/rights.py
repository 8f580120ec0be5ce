"""`gonghui rights due [--json] [--days N] [--user NAME]` and `gonghui rights recompute`."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gonghui.accounts.models import User
from gonghui.core import clock
from gonghui.core.actor import system_actor
from gonghui.core.errors import ApplicationError
from gonghui.rights import deadlines
from gonghui.rights.services import risk


class Command(BaseCommand):
    help = ("Rights protection (维权) operations. "
            "`gonghui rights due [--json] [--days 7] [--user NAME]`: every legal clock (cases, "
            "letters, contracts) that runs out within the next days, overdue ones included; "
            "the whole federation, or one user's subtrees. "
            "`gonghui rights recompute`: recompute every employer's risk score and level (after "
            "a weight change) and raise alerts for levels that rose.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        due = sub.add_parser("due", help="clocks running out within --days (default 7)")
        due.add_argument("--json", action="store_true", help="one JSON array on stdout")
        due.add_argument("--days", type=int, default=7)
        due.add_argument("--user", default="", help="only this user's subtrees")
        sub.add_parser("recompute", help="recompute every employer's risk level")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "due":
                self._due(options)
            else:
                counts = risk.recompute(actor=system_actor("cli"), progress=self._progress)
                self.stdout.write(f"\n{counts['employers']} employers recomputed, "
                                  f"{counts['rises']} levels rose (alerts raised).\n")
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc

    def _progress(self, done: int) -> None:
        self.stdout.write(f"\r{done} employers", ending="")
        self.stdout.flush()

    def _due(self, options: dict[str, Any]) -> None:
        viewer: Any = system_actor("cli")
        if options["user"]:
            viewer = User.objects.filter(username=options["user"], is_active=True).first()
            if viewer is None:
                raise CommandError(f"no active user {options['user']!r}")
        if options["days"] < 0:
            raise CommandError("--days must be 0 or more")
        today = clock.today()
        rows = deadlines.due(viewer=viewer, days=options["days"], today=today)
        if options["json"]:
            self.stdout.write(json.dumps([
                {"kind": c.kind, "label": str(c.label), "due": c.due.isoformat(),
                 "days_left": c.days_left(today), "subject": c.subject, "url": c.url,
                 "org_path": c.org_path} for c in rows], ensure_ascii=False, indent=2))
            return
        if not rows:
            self.stdout.write(f"No clock runs out in the next {options['days']} days.\n")
        for c in rows:
            left = c.days_left(today)
            state = "OVERDUE" if left < 0 else f"{left:>3}d"
            self.stdout.write(f"{c.due.isoformat()}  {state:>7}  {c.label}  {c.subject}\n")
