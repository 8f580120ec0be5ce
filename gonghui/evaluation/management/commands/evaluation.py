from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gonghui.accounts.models import User
from gonghui.core.actor import system_actor
from gonghui.core.errors import ApplicationError
from gonghui.evaluation import selectors
from gonghui.evaluation.models import Survey
from gonghui.evaluation.services import scores, surveys, titles
from gonghui.orgs.models import Org


class Command(BaseCommand):
    help = ("Evaluation (建家评家, surveys) operations. "
            "`gonghui evaluation expire`: end the titles past their validity with no re-check "
            "under review (daily). "
            "`gonghui evaluation close-surveys`: close the surveys past their closing date "
            "(daily). "
            "`gonghui evaluation due --user NAME [--days 90] [--json]`: titles due for "
            "re-rating in that user's subtrees. "
            "`gonghui evaluation import-scores FILE --org CODE --user NAME`: third-party scores "
            "from .xlsx/.csv (工会代码, 年度, 评估机构, 得分); all or nothing, exit 1 on errors. "
            "`gonghui evaluation recount [--survey ID] [--check]`: rebuild the survey result "
            "counters from the raw answers (--check: only compare, exit 1 on a difference).")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("expire", help="expire titles nobody re-checked")
        sub.add_parser("close-surveys", help="close surveys past their closing date")
        due = sub.add_parser("due", help="titles due for re-rating")
        due.add_argument("--user", required=True)
        due.add_argument("--days", type=int, default=90)
        due.add_argument("--json", action="store_true")
        imp = sub.add_parser("import-scores", help="import third-party scores")
        imp.add_argument("path")
        imp.add_argument("--org", required=True)
        imp.add_argument("--user", required=True)
        recount = sub.add_parser("recount", help="rebuild (or --check) the result counters")
        recount.add_argument("--survey", type=int)
        recount.add_argument("--check", action="store_true")

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {username!r}")
        return user

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            action = options["action"]
            if action == "expire":
                ended = titles.titles_expire(actor=system_actor("cli"))
                self.stdout.write(f"expired {len(ended)} title(s)")
            elif action == "close-surveys":
                closed = surveys.close_due(actor=system_actor("cli"))
                self.stdout.write(f"closed {len(closed)} survey(s)")
            elif action == "due":
                rows = selectors.titles_due(viewer=self._user(options["user"]),
                                            within_days=options["days"])
                data = [{"org": t.org.code, "name": t.org.name, "grade": t.grade,
                         "valid_until": t.valid_until.isoformat()} for t in rows]
                if options["json"]:
                    self.stdout.write(json.dumps(data, ensure_ascii=False))
                else:
                    for d in data:
                        self.stdout.write(f"{d['valid_until']}  {d['org']}  {d['name']}  "
                                          f"{d['grade']}")
            elif action == "recount":
                self._recount(options["survey"], check=options["check"])
            else:
                self._import(Path(options["path"]), options["org"], self._user(options["user"]))
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc

    def _import(self, path: Path, code: str, user: User) -> None:
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        org = Org.objects.filter(code=code).first()
        if org is None:
            raise CommandError(f"no org {code!r}")
        report = scores.third_party_import(root=org, data=path.read_bytes(), filename=path.name,
                                           actor=user)
        self.stdout.write(f"saved {report.saved}, errors {len(report.errors)}")
        for error in report.errors:
            self.stdout.write(f"  {error}")
        if report.errors:
            raise SystemExit(1)

    def _recount(self, survey_id: int | None, *, check: bool) -> None:
        rows = Survey.objects.order_by("id")
        if survey_id is not None:
            rows = rows.filter(pk=survey_id)
            if not rows.exists():
                raise CommandError(f"no survey {survey_id}")
        differ = 0
        for survey in rows:
            if check:
                problems = surveys.counts_check(survey)
                differ += bool(problems)
                for p in problems[:20]:
                    self.stdout.write(f"survey {survey.pk}: {p}")
                self.stdout.write(f"survey {survey.pk}: "
                                  f"{'differs' if problems else 'counters agree'}")
            else:
                n = surveys.counts_rebuild(survey)
                self.stdout.write(f"survey {survey.pk}: {n} counter row(s)")
        if differ:
            raise CommandError(f"{differ} survey(s) whose counters differ from a recount")
