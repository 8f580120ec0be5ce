from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gonghui.accounts.capabilities import Capability
from gonghui.accounts.gates import require_capability
from gonghui.accounts.models import User
from gonghui.aid import selectors
from gonghui.aid.services.standards_import import standards_import
from gonghui.core.errors import ApplicationError


class Command(BaseCommand):
    help = ("Hardship aid (困难职工帮扶) operations. "
            "`gonghui aid import-standards FILE --user NAME`: import local 低保 standards from an "
            ".xlsx or .csv (columns 地区, 年度, 低保标准; optional 执行日期, 文件依据) as that user; "
            "exit 1 if any row was refused. "
            "`gonghui aid due --user NAME [--json]`: the reviews and relapse follow-ups due in "
            "that user's subtrees.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import-standards", help="import 低保 standards from .xlsx/.csv")
        imp.add_argument("path", help="the .xlsx or .csv file")
        imp.add_argument("--user", required=True, help="acting user (needs policy.write)")
        due = sub.add_parser("due", help="reviews and follow-ups due within 30 days or overdue")
        due.add_argument("--user", required=True, help="whose subtrees to list")
        due.add_argument("--json", action="store_true", help="one JSON object on stdout")

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {username!r}")
        return user

    def handle(self, *args: Any, **options: Any) -> None:
        user = self._user(options["user"])
        try:
            if options["action"] == "import-standards":
                self._import(Path(options["path"]), user)
            else:
                self._due(user, as_json=options["json"])
        except ApplicationError as exc:
            # the same refusal the page and the API give, as the command's error
            raise CommandError(exc.message) from exc

    def _import(self, path: Path, user: User) -> None:
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        with path.open("rb") as handle:
            report = standards_import(upload=handle, filename=path.name, actor=user)
        self.stdout.write(f"created {report.created}, updated {report.updated}, "
                          f"unchanged {report.unchanged}, errors {len(report.errors)}")
        for error in report.errors:
            self.stdout.write(f"  row {error.line_no} [{error.column}] {error.reason}")
        if report.errors:
            raise CommandError(f"{len(report.errors)} row(s) refused; see above")

    def _due(self, user: User, *, as_json: bool) -> None:
        require_capability(user, Capability.AID_READ)
        rows = {
            "reviews": [(f.number, f.union.code, f.applicant_name, str(f.next_review_due or ""),
                         f.needs_review) for f in selectors.review_due(viewer=user)],
            "followups": [(f.number, f.union.code, f.applicant_name,
                           str(f.next_followup_due or ""), f.relapse_found)
                          for f in selectors.followup_due(viewer=user)],
        }
        if as_json:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        for kind, items in rows.items():
            self.stdout.write(f"{kind}: {len(items)}")
            for number, union, name, due, flag in items:
                mark = " *" if flag else ""
                self.stdout.write(f"  {number} {union:<14} {due:<10} {name}{mark}")
