"""`gonghui elections count FILE.json [--json]`: count one round by the rules (pure, no DB)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from gonghui.democracy.counting import RoundError, count_round, round_from_data


class Command(BaseCommand):
    help = ("Union elections (民主选举). `gonghui elections count FILE.json [--json]`: check and "
            "count one round described by FILE (entitled, present, seats, candidates; when votes "
            "were cast issued, returned and tally or ballots). Prints one JSON object with "
            "may_start, candidates_ok, min_candidates, round_valid, void_ballots, tally, elected, "
            "runoff, seats_left (null where not applicable). Exit 0 when counted, 2 when the "
            "file is malformed.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        count = sub.add_parser("count", help="count one round described by a JSON file")
        count.add_argument("path", help="the round as JSON")
        count.add_argument("--json", action="store_true",
                           help="compact JSON on one line (default: indented)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            self._fail(_("无法读取文件：{path}").format(path=path))
            return
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            self._fail(_("文件不是有效的 JSON（第 {line} 行）。").format(line=exc.lineno))
            return
        try:
            result = count_round(round_from_data(data))
        except RoundError as exc:
            self._fail(exc.message)
            return
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        else:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))

    def _fail(self, message: str) -> None:
        self.stderr.write(_("选票数据有误：{message}").format(message=message))
        sys.exit(2)
